@ocpp16.core
Feature: OCPP 1.6 Core - stopping a charging session
  Stops by the vehicle, by the CSMS, and remote calls the charger must refuse. StopTransaction
  and the Finishing status may come in either order.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted

  @TC_005_1_CS
  Scenario: TC_005_1_CS EV Side Disconnected - StopTransactionOnEVSideDisconnect true, UnlockConnectorOnEVSideDisconnect true
    Given the charger is configured with:
      | key                               | value |
      | StopTransactionOnEVSideDisconnect | true  |
      | UnlockConnectorOnEVSideDisconnect | true  |
    And a charging session is running for "04A2B3C4"
    When the EV unplugs
    Then the contactor opens within 100 ms after the EV's last action
    And the charger stops the transaction with reason EVDisconnected and reports Finishing within 5 s:
      """
      {"transactionId": ${transactionId}}
      """

  @TC_005_2_CS
  Scenario: TC_005_2_CS EV Side Disconnected - StopTransactionOnEVSideDisconnect true, UnlockConnectorOnEVSideDisconnect false
    Given the charger's configuration key UnlockConnectorOnEVSideDisconnect is writable
    And the charger is configured with:
      | key                               | value |
      | StopTransactionOnEVSideDisconnect | true  |
      | UnlockConnectorOnEVSideDisconnect | false |
    And a charging session is running for "04A2B3C4"
    When the EV unplugs
    Then the charger stops the transaction with reason EVDisconnected and reports Finishing within 5 s
    When the CSMS sends UnlockConnector:
      """
      {"connectorId": 1}
      """
    Then the charger responds with status Unlocked or NotSupported

  @TC_005_3_CS
  Scenario: TC_005_3_CS EV Side Disconnected - StopTransactionOnEVSideDisconnect false, UnlockConnectorOnEVSideDisconnect false
    Given the charger's configuration key StopTransactionOnEVSideDisconnect is writable
    And the charger is configured with:
      | key                               | value |
      | StopTransactionOnEVSideDisconnect | false |
      | UnlockConnectorOnEVSideDisconnect | false |
    And a charging session is running for "04A2B3C4"
    When the EV unplugs
    Then the charger reports SuspendedEV or SuspendedEVSE within 5 s
    And no StopTransaction arrives during 3 s
    And the contactor stays open for 1 s
    When the CSMS sends RemoteStopTransaction:
      """
      {"transactionId": ${transactionId}}
      """
    Then the charger responds with status Accepted
    And the charger stops the transaction with reason Remote and reports Finishing or Available within 5 s

  @TC_012_CS
  Scenario: TC_012_CS Remote Stop Charging Session
    Given a charging session is running for "04A2B3C4"
    When the CSMS sends RemoteStopTransaction:
      """
      {"transactionId": ${transactionId}}
      """
    Then the charger responds with status Accepted
    And the charger stops the transaction with reason Remote and reports Finishing within 5 s:
      """
      {"transactionId": ${transactionId}}
      """
    And the contactor opens within 6 s

  @TC_026_CS
  Scenario: TC_026_CS Remote Start Charging Session - Rejected
    Given the CSMS answers Authorize for "04B5C6D7" with Accepted
    And a charging session is running for "04A2B3C4"
    When the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04B5C6D7"}
      """
    Then the charger responds with status Rejected
    And no StartTransaction arrives during 2 s

  @TC_027_CS
  Scenario: TC_027_CS Remote start transaction - connector id shall not be 0
    When the EV plugs in
    Then the charger reports Preparing within 5 s
    When the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 0, "idTag": "04A2B3C4"}
      """
    Then the charger responds with status Rejected or CallError
    And no StartTransaction arrives during 2 s

  @TC_028_CS
  Scenario: TC_028_CS Remote Stop Transaction - Rejected
    When the CSMS sends RemoteStopTransaction:
      """
      {"transactionId": 424242}
      """
    Then the charger responds with status Rejected
