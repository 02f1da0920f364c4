@rfid @requires.rfid
Feature: RFID cards at the charger's reader
  ISO/IEC 14443 Type A cards with 4, 7 and 10 byte UIDs; the UID in hex is the idTag (10 bytes
  make 20 hex digits, the longest idTag OCPP 1.6 allows). Unknown cards start nothing; cards in
  the local list work while the CSMS is out of reach.

  Background:
    Given the charger is idle

  @rfid.uid-length
  Scenario Outline: A <bytes>-byte UID is sent whole as the idTag
    Given the CSMS answers Authorize for "<uid>" with Accepted
    When the EV plugs in
    And the driver presents the card "<uid>"
    # The EV asks for C with the card: the charger may start the transaction as soon as
    # the card is accepted, before or after C, and both stimuli share one mark.
    And the EV goes to state C
    Then the CSMS receives Authorize within 5 s:
      """
      {"idTag": "<uid>"}
      """
    And the charger starts a transaction and reports Charging within 10 s:
      """
      {"idTag": "<uid>"}
      """

    Examples:
      | bytes | uid                  |
      | 4     | 04A2B3C4             |
      | 7     | 04A2B3C4D5E6F7       |
      | 10    | 04A2B3C4D5E6F7081920 |

  @rfid.unknown
  Scenario: An unknown card starts no transaction and no supply
    Given the CSMS answers Authorize for unknown idTags with Invalid
    When the EV plugs in
    And the EV goes to state C
    And the driver presents the card "0BADCAFE"
    Then the CSMS receives Authorize within 5 s:
      """
      {"idTag": "0BADCAFE"}
      """
    And no StartTransaction arrives during 3 s
    And the contactor stays open for 1 s

  @rfid.offline-list @requires.net-cut
  Scenario: A card in the local list starts a charge while the CSMS is out of reach
    Given the charger is configured with:
      | key                   | value |
      | LocalAuthListEnabled  | true  |
      | LocalAuthorizeOffline | true  |
    When the CSMS sends SendLocalList:
      """
      {"listVersion": 3, "updateType": "Full",
       "localAuthorizationList": [{"idTag": "04A2B3C4D5E6F7", "idTagInfo": {"status": "Accepted"}},
                                  {"idTag": "04B5C6D7", "idTagInfo": {"status": "Blocked"}}]}
      """
    Then the charger responds with status Accepted
    When the network is cut
    And the EV plugs in
    And the EV goes to state C
    And the driver presents the card "04A2B3C4D5E6F7"
    Then the contactor closes within 5 s
    When the network is restored
    Then the charger starts a transaction and reports Charging within 30 s:
      """
      {"idTag": "04A2B3C4D5E6F7"}
      """

  @rfid.offline-list @requires.net-cut
  Scenario: A blocked card in the local list starts nothing while the CSMS is out of reach
    Given the charger is configured with:
      | key                   | value |
      | LocalAuthListEnabled  | true  |
      | LocalAuthorizeOffline | true  |
    When the CSMS sends SendLocalList:
      """
      {"listVersion": 3, "updateType": "Full",
       "localAuthorizationList": [{"idTag": "04B5C6D7", "idTagInfo": {"status": "Blocked"}}]}
      """
    Then the charger responds with status Accepted
    When the network is cut
    And the EV plugs in
    And the EV goes to state C
    And the driver presents the card "04B5C6D7"
    Then the contactor stays open for 3 s
    When the network is restored
    Then the charger reconnects within 30 s
    And no StartTransaction arrives during 3 s
