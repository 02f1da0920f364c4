@ocpp16.core
Feature: OCPP 1.6 Core - power failures
  The rig switches the charger's mains off and on; with a backup supply the charger stops the
  transaction before it goes down.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted

  @TC_032_1_CS @requires.power-cycle @requires.backup-power
  Scenario: TC_032_1_CS Power failure boot charging point - configured to stop transaction(s) before going down
    Given a charging session is running for "04A2B3C4"
    When the mains supply fails
    Then the charger stops the transaction with reason PowerLoss and reports Finishing within 10 s:
      """
      {"transactionId": ${transactionId}}
      """
    When the mains supply returns
    Then the CSMS receives BootNotification within 60 s
    And the charger reports Finishing or Preparing within 30 s

  @TC_032_2_CS @requires.power-cycle @requires.rfid
  Scenario: TC_032_2_CS Power failure boot charging point - configured to stop transaction(s)
    Given a charging session is running for "04A2B3C4"
    When the charger is power cycled
    Then the CSMS receives BootNotification within 60 s
    And the charger reports Preparing or Finishing or Charging within 30 s
    # The OCTT case allows two chargers: one that resumes the transaction after the boot (a card
    # then stops it, reason Local) and one that closed it at boot (StopTransaction with reason
    # PowerLoss). The reference firmware has no backup supply and does the latter, so the
    # transaction is gone before a card could stop it.
    And the CSMS receives StopTransaction within 30 s:
      """
      {"reason": "PowerLoss", "transactionId": ${transactionId}}
      """

  @TC_034_CS @requires.power-cycle
  Scenario: TC_034_CS Power Failure with Unavailable Status
    When the CSMS sends ChangeAvailability:
      """
      {"connectorId": 0, "type": "Inoperative"}
      """
    Then the charger responds with status Accepted
    And the charger reports Unavailable within 5 s
    When the charger is power cycled
    Then the CSMS receives BootNotification within 60 s
    And the charger reports Unavailable within 30 s
    And no StatusNotification arrives during 2 s:
      """
      {"connectorId": 1, "status": "Available"}
      """
