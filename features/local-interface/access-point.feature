@local-interface @requires.local-interface
Feature: Local interface - commissioning access point
  After power-on the unit opens a Wi-Fi access point named HALO_<last six digits of the serial>M
  with the PIN as password, for 10 minutes (the default is proven by the firmware's unit test
  `ui::access_point` with a fake clock); it goes off by itself when the window ends, and at once
  when the Ethernet link comes up. These scenarios start the unit with a window of a few seconds.
  The emulated board reports its Ethernet link up until a scenario unplugs the cable.

  @ui.access-point @requires.power-cycle @requires.sim-faults
  Scenario: The access point is on after power-on and goes off when its window ends
    Given the charger is idle
    And the unit's Ethernet cable is unplugged
    And the unit's access point window is 4 s
    When the installer logs in with the PIN
    Then the Status tab shows the access point on
    And the access point is named after the serial number and has the unit's address
    And the Status tab shows the access point off because window_elapsed within 8 s

  @ui.access-point @requires.power-cycle @requires.sim-faults
  Scenario: The access point goes off at once when the Ethernet link comes up
    Given the charger is idle
    And the unit's Ethernet cable is unplugged
    And the unit's access point window is 600 s
    When the installer logs in with the PIN
    Then the Status tab shows the access point on
    When the unit's Ethernet cable is plugged in
    Then the Status tab shows the access point off because ethernet_link within 3 s

  @ui.access-point
  Scenario: With the Ethernet link up after power-on the access point is off
    Given the charger is idle
    When the installer logs in with the PIN
    Then the Status tab shows the access point off because ethernet_link
