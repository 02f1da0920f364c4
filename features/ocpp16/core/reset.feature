@ocpp16.core
Feature: OCPP 1.6 Core - resets
  Hard and soft resets with and without a transaction; availability survives a reset.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted

  @TC_013_CS
  Scenario: TC_013_CS Hard Reset Without transaction
    When the CSMS sends ChangeAvailability:
      """
      {"connectorId": 1, "type": "Inoperative"}
      """
    Then the charger responds with status Accepted
    And the charger reports Unavailable within 5 s
    When the CSMS sends Reset:
      """
      {"type": "Hard"}
      """
    Then the charger responds with status Accepted
    And the CSMS receives BootNotification within 60 s
    And the charger reports Unavailable within 30 s
    When the CSMS sends ChangeAvailability:
      """
      {"connectorId": 1, "type": "Operative"}
      """
    Then the charger responds with status Accepted
    And the charger reports Available within 5 s

  @TC_014_CS
  Scenario: TC_014_CS Soft Reset Without Transaction
    When the CSMS sends ChangeAvailability:
      """
      {"connectorId": 1, "type": "Inoperative"}
      """
    Then the charger responds with status Accepted
    And the charger reports Unavailable within 5 s
    When the CSMS sends Reset:
      """
      {"type": "Soft"}
      """
    Then the charger responds with status Accepted
    # A BootNotification after a soft reset is optional; the charger must come back.
    And the charger reconnects within 60 s
    And the charger reports Unavailable within 30 s
    When the CSMS sends ChangeAvailability:
      """
      {"connectorId": 1, "type": "Operative"}
      """
    Then the charger responds with status Accepted
    And the charger reports Available within 5 s

  @TC_015_CS
  Scenario: TC_015_CS Hard Reset With Transaction
    Given a charging session is running for "04A2B3C4"
    When the CSMS sends Reset:
      """
      {"type": "Hard"}
      """
    Then the charger responds with status Accepted
    And the contactor opens within 10 s
    And the CSMS receives BootNotification within 60 s
    And the charger stops the transaction with reason HardReset and reports Finishing within 60 s:
      """
      {"transactionId": ${transactionId}}
      """
    And the charger reports Finishing or Preparing within 30 s

  @TC_016_CS
  Scenario: TC_016_CS Soft Reset With Transaction
    Given a charging session is running for "04A2B3C4"
    When the CSMS sends Reset:
      """
      {"type": "Soft"}
      """
    Then the charger responds with status Accepted
    And the charger stops the transaction with reason SoftReset and reports Finishing within 30 s:
      """
      {"transactionId": ${transactionId}}
      """
    And the contactor opens within 10 s
    And the charger reconnects within 60 s
