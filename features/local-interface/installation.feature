@local-interface @requires.local-interface
Feature: Local interface - Installation tab
  The installer sets the maximum current, the fuse rating, the phases and the earthing system of
  the installation, validated against the product's rating. The pilot's duty cycle follows a new
  maximum at once; a value out of range is refused with the reason and changes nothing.

  @ui.installation
  Scenario: A new maximum current shows on the tab and in the duty cycle at once
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted
    And the EV draws up to 32 A on 3 phases
    And the installer logs in with the PIN
    And a charging session is running for "04A2B3C4"
    When the installer sets the maximum current to 10 A
    Then the Installation tab shows a maximum current of 10 A
    And the pilot offers 10 A within 5 s
    And the duty cycle is 16.7 % within 5 s
    When the installer sets the maximum current to 13 A
    Then the pilot offers 13 A within 5 s
    And the EV draws 13 A per phase within 6 s

  @ui.installation
  Scenario: Fuse rating, phases and earthing are saved
    Given the charger is idle
    And the installer logs in with the PIN
    When the installer sets the fuse rating to 13 A
    And the installer sets the number of phases to 1
    And the installer sets the earthing system to "TT"
    Then the Installation tab shows a fuse rating of 13 A
    And the Installation tab shows 1 phase and earthing TT

  @ui.installation @ui.invalid
  Scenario Outline: An invalid installation value is refused with the reason, nothing changed
    Given the charger is idle
    And the installer logs in with the PIN
    When the installer tries to set <what>
    Then the interface refuses with <status> "<reason>"
    And nothing was changed

    Examples:
      | what                                 | status | reason                  |
      | the maximum current to 40 A          | 422    | max_current_a 40 is outside 6..= |
      | the maximum current to 5 A           | 422    | max_current_a 5 is outside 6..=  |
      | the fuse rating to 0 A               | 422    | fuse_rating_a           |
      | the number of phases to 2            | 422    | phases                  |
      | the earthing system to "XY"          | 422    | earthing                |
      | the maximum current to -3 A          | 400    | invalid JSON body       |
