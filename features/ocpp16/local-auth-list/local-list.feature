@ocpp16.local-auth-list
Feature: OCPP 1.6 Local Authorization List Management
  The CSMS sends full and differential lists; the version number follows, an older
  differential update is refused, and a listed idTag starts a transaction without asking the
  CSMS.

  Background:
    Given the charger is idle

  @TC_042_1_CS
  Scenario: TC_042_1_CS Get Local List Version (not supported)
    # OCTT runs this for a charger without the list or with it disabled; disabled here.
    Given the charger is configured with LocalAuthListEnabled false
    When the CSMS sends GetLocalListVersion
    Then the charger responds with listVersion -1 or CallError NotSupported

  @TC_042_2_CS
  Scenario: TC_042_2_CS Get Local List Version (empty)
    Given the charger is configured with LocalAuthListEnabled true
    When the CSMS sends SendLocalList:
      """
      {"listVersion": 1, "updateType": "Full", "localAuthorizationList": []}
      """
    Then the charger responds with status Accepted
    When the CSMS sends GetLocalListVersion
    Then the charger responds with listVersion 0

  @TC_043_CS
  Scenario: TC_043_CS Send Local Authorization List
    Given the charger is configured with LocalAuthListEnabled true
    When the CSMS sends SendLocalList:
      """
      {"listVersion": 1, "updateType": "Full",
       "localAuthorizationList": [{"idTag": "04A2B3C4", "idTagInfo": {"status": "Accepted"}}]}
      """
    Then the charger responds with status Accepted
    When the CSMS sends SendLocalList:
      """
      {"listVersion": 2, "updateType": "Differential",
       "localAuthorizationList": [{"idTag": "04B5C6D7", "idTagInfo": {"status": "Blocked"}}]}
      """
    Then the charger responds with status Accepted
    When the CSMS sends GetLocalListVersion
    Then the charger responds with listVersion 2

  @TC_043_1_CS
  Scenario: TC_043_1_CS Send Local Authorization List - NotSupported
    # OCTT runs this for a charger without the list or with it disabled; disabled here.
    Given the charger is configured with LocalAuthListEnabled false
    When the CSMS sends SendLocalList:
      """
      {"listVersion": 1, "updateType": "Full", "localAuthorizationList": []}
      """
    Then the charger responds with status NotSupported or CallError NotSupported

  @TC_043_2_CS
  Scenario: TC_043_2_CS Send Local Authorization List - VersionMismatch
    Given the charger is configured with LocalAuthListEnabled true
    When the CSMS sends SendLocalList:
      """
      {"listVersion": 2, "updateType": "Full",
       "localAuthorizationList": [{"idTag": "04A2B3C4", "idTagInfo": {"status": "Accepted"}}]}
      """
    Then the charger responds with status Accepted
    When the CSMS sends GetLocalListVersion
    Then the charger responds with listVersion 2
    When the CSMS sends SendLocalList:
      """
      {"listVersion": 5, "updateType": "Differential",
       "localAuthorizationList": [{"idTag": "04B5C6D7", "idTagInfo": {"status": "Accepted"}}]}
      """
    Then the charger responds with status Accepted
    When the CSMS sends GetLocalListVersion
    Then the charger responds with listVersion 5
    When the CSMS sends SendLocalList:
      """
      {"listVersion": 4, "updateType": "Differential",
       "localAuthorizationList": [{"idTag": "DEADBEEF", "idTagInfo": {"status": "Accepted"}}]}
      """
    Then the charger responds with status VersionMismatch
    When the CSMS sends GetLocalListVersion
    Then the charger responds with listVersion 5

  @TC_043_3_CS @requires.dut.storage-fault-injection
  Scenario: TC_043_3_CS Send Local Authorization List - Failed
    Given the charger is configured with LocalAuthListEnabled true
    # The charger's list storage is made to fail by the DUT's own test hook; a rig cannot do it.
    And the charger's local authorization list storage fails
    When the CSMS sends SendLocalList:
      """
      {"listVersion": 2, "updateType": "Full",
       "localAuthorizationList": [{"idTag": "04A2B3C4", "idTagInfo": {"status": "Accepted"}}]}
      """
    Then the charger responds with status Failed

  @TC_008_CS
  Scenario: TC_008_CS Regular Start Charging Session - Id in Local Authorization List
    # The remote idTag is authorized (AuthorizeRemoteTxRequests) from the list, not by an
    # Authorize; the CSMS knows the card, so StartTransaction.conf accepts it as in the OCTT case.
    Given the charger is configured with:
      | key                       | value |
      | LocalAuthListEnabled      | true  |
      | LocalPreAuthorize         | true  |
      | AuthorizeRemoteTxRequests | true  |
      | AuthorizationCacheEnabled | false |
    And the CSMS answers Authorize for "04A2B3C4" with Accepted
    When the CSMS sends GetLocalListVersion
    Then the charger responds with listVersion 0
    When the CSMS sends SendLocalList:
      """
      {"listVersion": 1, "updateType": "Full",
       "localAuthorizationList": [{"idTag": "04A2B3C4", "idTagInfo": {"status": "Accepted"}}]}
      """
    Then the charger responds with status Accepted
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
    And no Authorize arrives during 1 s
