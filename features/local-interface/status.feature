@local-interface @requires.local-interface
Feature: Local interface - Status tab
  The Status tab shows the unit's identity (serial number, product number, firmware version), its
  network (the commissioning access point, Wi-Fi), the OCPP connection and the energy register.

  @ui.status
  Scenario: The Status tab shows the unit and its connection to the CSMS
    Given the charger is idle
    When the installer logs in with the PIN
    Then the Status tab shows the unit's serial number, product number and firmware version
    And the Status tab shows the OCPP connection connected within 10 s
