@eol @requires.eol-station @eol.rfid @rfid @requires.rfid
Feature: EOL 8 - RFID read
  A test card held in the reader's field must reach the CSMS as the idTag of an Authorize.
  The card is the rig's `[test_data] valid_id_tag`.

  Scenario: The reader reads the test card
    Given the charger is idle
    And the CSMS answers Authorize for "${test_data.valid_id_tag}" with Accepted
    When the driver presents the card "${test_data.valid_id_tag}"
    Then the CSMS receives Authorize within 5 s:
      """
      {"idTag": "${test_data.valid_id_tag}"}
      """
    When the driver takes the card away
