@eol @requires.eol-station @eol.ocpp
Feature: EOL 9 - OCPP connection and boot
  The unit connects to the station's CSMS, is accepted and reports its connector Available,
  without breaking OCPP 1.6 in any frame (its identity was read back at provisioning).

  Scenario: The unit connects and is accepted
    Then the CSMS receives BootNotification within 60 s
    And the charger reports Available within 30 s
    And no OCPP violation was recorded
