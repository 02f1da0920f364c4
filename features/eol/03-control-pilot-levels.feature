@eol @requires.eol-station @eol.cp-levels @IEC61851-1
Feature: EOL 3 - Control pilot levels with the vehicle at open, 2.74 kΩ, 882 Ω and 246 Ω
  The charger drives +12 V through its 1 kΩ source resistor; the vehicle's diode and resistance
  to PE pull the positive level to 12, 9, 6 and 3 V (states A to D). The tolerance is the rig's
  `[eol] cp_level_tolerance_v` (±1 V, as detection bands commonly are). One stage, so the
  levels are measured in one go on one unit.

  Scenario: The pilot's positive level follows the vehicle's resistance
    Given the charger is idle
    When the vehicle presents open on the pilot
    Then the pilot's positive level is 12 V
    When the vehicle presents 2.74 kΩ on the pilot
    Then the pilot shows state B within 500 ms
    And the pilot's positive level is 9 V
    When the vehicle presents 882 Ω on the pilot
    Then the pilot shows state C within 500 ms
    And the pilot's positive level is 6 V
    When the vehicle presents 246 Ω on the pilot
    Then the pilot shows state D within 500 ms
    And the pilot's positive level is 3 V
    # 500 ms: the firmware decides the contactor in one evaluation of the pilot (10 ms status,
    # 20 ms debounce, 20 ms diode proof; stage 5 measures about 50 ms from C to closed), so a
    # contactor that should not close would close well inside this window.
    And the contactor stays open for 500 ms
