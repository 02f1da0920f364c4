@ocpp16.core
Feature: OCPP 1.6 Core - offline behaviour
  The rig cuts the charger's network; transaction-related messages are queued and delivered in
  order once it is back. The idTag is put in the authorization cache first, so the charger can
  authorize it locally while offline.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted

  @TC_036_CS @requires.net-cut
  Scenario: TC_036_CS Connection Loss During Transaction
    Given the charger is configured with:
      | key                      | value |
      | MeterValueSampleInterval | 2     |
      | ClockAlignedDataInterval | 0     |
    And a charging session is running for "04A2B3C4"
    When the network is cut for 8 s
    Then the charger reconnects within 30 s
    And the CSMS receives 5 MeterValues within 15 s, timestamps in order and 2 s apart:
      """
      {"transactionId": ${transactionId}}
      """

  @TC_037_1_CS @requires.net-cut @requires.rfid
  Scenario: TC_037_1_CS Offline Start Transaction - Valid IdTag
    Given the charger is configured with:
      | key                       | value |
      | LocalAuthorizeOffline     | true  |
      | AuthorizationCacheEnabled | true  |
      | ConnectionTimeOut         | 4     |
    When the driver presents the card "04A2B3C4"
    Then the CSMS receives Authorize within 5 s
    And the charger reports Available within 15 s
    When the network is cut
    And the EV plugs in
    And the driver presents the card "04A2B3C4"
    And the EV goes to state C
    Then the contactor closes within 5 s
    When the network is restored
    Then the charger reconnects within 30 s
    And the charger starts a transaction and reports Charging within 30 s:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """

  @TC_037_2_CS @requires.net-cut @requires.rfid
  Scenario: TC_037_2_CS Offline Start Transaction - Invalid IdTag - StopTransactionOnInvalidId false
    Given the charger is configured with:
      | key                        | value |
      | LocalAuthorizeOffline      | true  |
      | AuthorizationCacheEnabled  | true  |
      | StopTransactionOnInvalidId | false |
      | ConnectionTimeOut          | 4     |
    When the driver presents the card "04A2B3C4"
    Then the CSMS receives Authorize within 5 s
    And the charger reports Available within 15 s
    When the network is cut
    And the EV plugs in
    And the driver presents the card "04A2B3C4"
    And the EV goes to state C
    Then the contactor closes within 5 s
    When the CSMS answers Authorize for "04A2B3C4" with Invalid
    And the network is restored
    Then the CSMS receives StartTransaction within 30 s:
      """
      {"idTag": "04A2B3C4"}
      """
    And the charger reports SuspendedEVSE within 10 s
    And the EV draws no current within 10 s
    And no StopTransaction arrives during 3 s

  @TC_037_3_CS @requires.net-cut @requires.rfid
  Scenario: TC_037_3_CS Offline Start Transaction - Invalid IdTag - StopTransactionOnInvalidId true
    Given the charger is configured with:
      | key                        | value |
      | LocalAuthorizeOffline      | true  |
      | AuthorizationCacheEnabled  | true  |
      | StopTransactionOnInvalidId | true  |
      | ConnectionTimeOut          | 4     |
    When the driver presents the card "04A2B3C4"
    Then the CSMS receives Authorize within 5 s
    And the charger reports Available within 15 s
    When the network is cut
    And the EV plugs in
    And the driver presents the card "04A2B3C4"
    And the EV goes to state C
    Then the contactor closes within 5 s
    When the CSMS answers Authorize for "04A2B3C4" with Invalid
    And the network is restored
    Then the CSMS receives StartTransaction within 30 s:
      """
      {"idTag": "04A2B3C4"}
      """
    And the charger stops the transaction with reason DeAuthorized and reports Finishing within 10 s
    And the contactor opens within 5 s

  @TC_038_CS @requires.net-cut @requires.rfid
  Scenario: TC_038_CS Offline Stop Transaction
    Given a charging session is running for "04A2B3C4"
    When the network is cut
    And the driver presents the card "04A2B3C4"
    Then the contactor opens within 5 s
    When the network is restored
    Then the charger reconnects within 30 s
    And the charger stops the transaction with reason Local and reports Finishing within 30 s:
      """
      {"transactionId": ${transactionId}, "idTag": "04A2B3C4"}
      """

  @TC_039_CS @requires.net-cut @requires.rfid
  Scenario: TC_039_CS Offline Transaction
    Given the charger is configured with:
      | key                       | value |
      | LocalAuthorizeOffline     | true  |
      | AuthorizationCacheEnabled | true  |
      | ConnectionTimeOut         | 4     |
    When the driver presents the card "04A2B3C4"
    Then the CSMS receives Authorize within 5 s
    And the charger reports Available within 15 s
    When the network is cut
    And the EV plugs in
    And the driver presents the card "04A2B3C4"
    And the EV goes to state C
    Then the contactor closes within 5 s
    When the driver presents the card "04A2B3C4"
    Then the contactor opens within 5 s
    When the EV unplugs
    And the network is restored
    Then the CSMS receives StartTransaction within 30 s:
      """
      {"idTag": "04A2B3C4"}
      """
    And the CSMS receives StopTransaction within 30 s
    And the CSMS received StartTransaction before StopTransaction
