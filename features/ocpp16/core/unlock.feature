@ocpp16.core
Feature: OCPP 1.6 Core - unlocking the connector
  A socket outlet unlocks on request; a tethered cable has nothing to unlock. Lock failures
  are made by the rig.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted

  @TC_017_1_CS @requires.socket
  Scenario: TC_017_1_CS Unlock connector - no charging session running (Not fixed cable)
    When the CSMS sends UnlockConnector:
      """
      {"connectorId": 1}
      """
    Then the charger responds with status Unlocked

  @TC_017_2_CS @requires.tethered-cable
  Scenario: TC_017_2_CS Unlock connector - no charging session running (Fixed cable)
    When the CSMS sends UnlockConnector:
      """
      {"connectorId": 1}
      """
    Then the charger responds with status NotSupported

  @TC_018_1_CS @requires.socket
  Scenario: TC_018_1_CS Unlock Connector - With Charging Session (Not fixed cable)
    Given a charging session is running for "04A2B3C4"
    When the CSMS sends UnlockConnector:
      """
      {"connectorId": 1}
      """
    Then the charger responds with status Unlocked
    And the contactor opens within 2 s
    And the charger stops the transaction with reason UnlockCommand and reports Finishing within 5 s
    When the EV unplugs
    Then the charger reports Available within 5 s

  @TC_018_2_CS @requires.tethered-cable
  Scenario: TC_018_2_CS Unlock Connector - With Charging Session (Fixed cable)
    Given a charging session is running for "04A2B3C4"
    When the CSMS sends UnlockConnector:
      """
      {"connectorId": 1}
      """
    Then the charger responds with status NotSupported
    And no StopTransaction arrives during 2 s
    And the contactor stays closed for 1 s

  @TC_024_CS @requires.socket @requires.lock-failure @requires.rfid
  Scenario: TC_024_CS Start Charging Session - Lock Failure
    Given the connector lock fails
    When the EV plugs in
    And the driver presents the card "04A2B3C4"
    Then the charger reports Faulted with error code ConnectorLockFailure within 10 s
    And no StartTransaction arrives during 3 s
    And the contactor stays open for 1 s

  @TC_030_CS @requires.socket @requires.lock-failure
  Scenario: TC_030_CS Unlock Connector - Unlock Failure
    # The case needs a locked connector whose unlocking fails. This charger locks the socket
    # while a session holds the cable (not while it is only plugged), so a session runs first.
    Given a charging session is running for "04A2B3C4"
    And the connector lock fails
    When the CSMS sends UnlockConnector:
      """
      {"connectorId": 1}
      """
    Then the charger responds with status UnlockFailed

  @TC_031_CS
  Scenario: TC_031_CS Unlock Connector - Unknown Connector
    When the CSMS sends UnlockConnector:
      """
      {"connectorId": 2}
      """
    Then the charger responds with status NotSupported
