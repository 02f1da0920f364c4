@local-interface @requires.local-interface
Feature: Local interface - factory reset
  The factory reset asks for the PIN again. It wipes the configuration, the Wi-Fi network, the
  OCPP settings and credentials and the offline cards, and restarts the unit; the provisioning
  (serial number, product number, PIN) and the energy register stay. A wrong PIN resets nothing.

  Background:
    Given the charger is idle
    And the installer logs in with the PIN
    And the installer joins the Wi-Fi network "Garage" with WPA2-AES
    And the installer adds the offline card "04A22B1A"
    And the installer sets the maximum current to 10 A

  @ui.factory-reset
  Scenario: A factory reset with the PIN brings back the shipping state
    When the installer resets the unit to factory settings
    Then the interface accepts
    When the installer logs in with the PIN within 15 s
    Then the unit has no CSMS, no Wi-Fi network, no offline cards and the default installation
    And the Status tab shows the unit's serial number, product number and firmware version
    And the Status tab shows the OCPP connection not_configured within 5 s

  @ui.factory-reset @ui.security
  Scenario: A factory reset with a wrong PIN resets nothing
    When the installer tries to reset the unit to factory settings with a wrong PIN
    Then the interface refuses with 401 "wrong PIN"
    And nothing was changed
    And the Installation tab shows a maximum current of 10 A
