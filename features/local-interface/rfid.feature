@local-interface @requires.local-interface
Feature: Local interface - RFID tab
  Offline cards are added and removed on the RFID tab. The tab says they are ignored while a CSMS
  is configured (the CSMS manages cards then). A malformed card number is refused with the reason.

  Background:
    Given the charger is idle
    And the installer logs in with the PIN

  @ui.rfid
  Scenario: A card is added and removed
    When the installer adds the offline card "04:a2:2b:1a"
    Then the RFID tab lists the card "04A22B1A"
    When the installer removes the offline card "04A22B1A"
    Then the RFID tab does not list the card "04A22B1A"

  @ui.rfid
  Scenario: With a CSMS configured the tab says the offline cards are ignored
    Then the RFID tab says the offline cards are ignored

  @ui.rfid @ui.invalid
  Scenario Outline: A card the tab cannot take is refused with the reason, nothing changed
    Given the installer adds the offline card "04A22B1A"
    When the installer tries to <action> the offline card "<uid>"
    Then the interface refuses with <status> "<reason>"
    And nothing was changed

    Examples:
      | action | uid          | status | reason          |
      | add    | XYZ          | 422    | hex             |
      | add    | 04A2         | 422    | 4, 7 or 10      |
      | add    | 04A22B1A     | 422    | already         |
      | remove | 01020304     | 404    | no offline card |
