@ocpp16.core
Feature: OCPP 1.6 Core - starting a charging session
  Local and remote starts, the order of plug and card, the connection time-out and invalid cards.
  The vehicle, the card and the CSMS are driven by the rig; StartTransaction and the Charging
  status may come in either order.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted

  @TC_003_CS @requires.rfid
  Scenario: TC_003_CS Regular Charging Session - Plugin First
    When the EV plugs in
    Then the charger reports Preparing within 5 s
    When the driver presents the card "04A2B3C4"
    # The EV asks for C with the card: the charger may start the transaction as soon as
    # the card is accepted, before or after C, and both stimuli share one mark.
    And the EV goes to state C
    Then the CSMS receives Authorize within 5 s:
      """
      {"idTag": "04A2B3C4"}
      """
    And the charger starts a transaction and reports Charging within 10 s:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    And the contactor closes within 3 s

  @TC_004_1_CS @requires.rfid
  Scenario: TC_004_1_CS Regular Charging Session - Identification First
    When the driver presents the card "04A2B3C4"
    Then the CSMS receives Authorize within 5 s:
      """
      {"idTag": "04A2B3C4"}
      """
    And the charger reports Preparing within 5 s
    When the EV plugs in
    And the EV goes to state C
    Then the charger starts a transaction and reports Charging within 10 s:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """

  @TC_004_2_CS @requires.rfid
  Scenario: TC_004_2_CS Regular Charging Session - Identification First - ConnectionTimeOut
    Given the charger is configured with ConnectionTimeOut 5 s
    When the driver presents the card "04A2B3C4"
    Then the CSMS receives Authorize within 5 s
    And the charger reports Preparing within 5 s
    And the charger reports Available within 15 s
    And no StartTransaction arrives during 1 s

  @TC_007_CS
  Scenario: TC_007_CS Regular Start Charging Session - Cached Id
    Given the charger is configured with:
      | key                       | value |
      | AuthorizationCacheEnabled | true  |
      | LocalPreAuthorize         | true  |
      | AuthorizeRemoteTxRequests | true  |
      | ConnectionTimeOut         | 4     |
    # Put the idTag in the authorization cache: an authorized remote start that times out.
    When the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    Then the charger responds with status Accepted
    And the CSMS receives Authorize within 5 s:
      """
      {"idTag": "04A2B3C4"}
      """
    And the charger reports Available within 15 s
    When the EV plugs in
    Then the charger reports Preparing within 5 s
    When the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    Then the charger responds with status Accepted
    When the EV goes to state C
    Then the charger starts a transaction and reports Charging within 10 s:
      """
      {"idTag": "04A2B3C4"}
      """
    And no Authorize arrives during 1 s

  @TC_061_CS @requires.rfid
  Scenario: TC_061_CS Clear Authorization Data in Authorization Cache
    Given the charger is configured with:
      | key                       | value |
      | AuthorizationCacheEnabled | true  |
      | LocalPreAuthorize         | true  |
      | ConnectionTimeOut         | 4     |
    When the driver presents the card "04A2B3C4"
    Then the CSMS receives Authorize within 5 s
    And the charger reports Available within 15 s
    When the CSMS sends ClearCache
    Then the charger responds with status Accepted
    When the driver presents the card "04A2B3C4"
    Then the CSMS receives Authorize within 5 s:
      """
      {"idTag": "04A2B3C4"}
      """

  @TC_010_CS
  Scenario: TC_010_CS Remote Start Charging Session - Cable Plugged in First
    When the EV plugs in
    Then the charger reports Preparing within 5 s
    When the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    Then the charger responds with status Accepted
    When the EV goes to state C
    Then the charger starts a transaction and reports Charging within 10 s:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    And the contactor closes within 3 s

  @TC_011_1_CS
  Scenario: TC_011_1_CS Remote Start Charging Session - Remote Start First
    When the CSMS sends GetConfiguration:
      """
      {"key": ["AuthorizeRemoteTxRequests"]}
      """
    Then the reported configuration has the keys:
      | key                       | access  |
      | AuthorizeRemoteTxRequests | R or RW |
    When the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    Then the charger responds with status Accepted
    And the charger reports Preparing within 5 s
    When the EV plugs in
    And the EV goes to state C
    Then the charger starts a transaction and reports Charging within 10 s:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """

  @TC_011_2_CS
  Scenario: TC_011_2_CS Remote Start Charging Session - Time Out
    Given the charger is configured with ConnectionTimeOut 5 s
    When the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    Then the charger responds with status Accepted
    And the charger reports Preparing within 5 s
    And the charger reports Available within 15 s
    And no StartTransaction arrives during 1 s

  @TC_023_CS @requires.rfid
  Scenario: TC_023_CS Start Charging Session - Authorize invalid
    Given the charger is configured with LocalPreAuthorize true
    And the CSMS answers Authorize for "DEADBEEF" with Invalid
    When the EV plugs in
    Then the charger reports Preparing within 5 s
    When the driver presents the card "DEADBEEF"
    Then the CSMS receives Authorize within 5 s:
      """
      {"idTag": "DEADBEEF"}
      """
    And no StartTransaction arrives during 5 s
    And the contactor stays open for 1 s

  @TC_068_CS @requires.rfid
  Scenario: TC_068_CS Stop transaction - IdTag in StopTransaction matches IdTag in StartTransaction
    Given the CSMS answers Authorize for "04B5C6D7" with Accepted
    And a charging session is running for "04A2B3C4"
    When the driver presents the card "04B5C6D7"
    Then no StopTransaction arrives during 3 s
    And no Authorize arrives during 1 s
    And the contactor stays closed for 1 s
    When the driver presents the card "04A2B3C4"
    Then the charger stops the transaction with reason Local and reports Finishing within 5 s:
      """
      {"idTag": "04A2B3C4", "transactionId": ${transactionId}}
      """
    # The PWM goes off at once; the vehicle may take up to 5 s to stop drawing (IEC 61851-1), so
    # the contactor opens when the current is gone, 6 s after the PWM at the latest.
    And the contactor opens within 6 s

  @TC_069_CS @requires.rfid
  Scenario: TC_069_CS Stop transaction - ParentIdTag in StopTransaction matches ParentIdTag in StartTransaction
    Given the CSMS answers Authorize for "04A2B3C4" with Accepted and parent "FLEET-01"
    And the CSMS answers Authorize for "04B5C6D7" with Accepted and parent "FLEET-01"
    And a charging session is running for "04A2B3C4"
    When the driver presents the card "04B5C6D7"
    Then the CSMS receives Authorize within 5 s:
      """
      {"idTag": "04B5C6D7"}
      """
    And the charger stops the transaction with reason Local and reports Finishing within 5 s:
      """
      {"idTag": "04B5C6D7", "transactionId": ${transactionId}}
      """
