@eol @eol.ocpp
Feature: EOL 9 - OCPP connection and boot
  The unit connects to the station's CSMS and boots with its own identity: the serial number
  and the product it was provisioned with.

  Scenario: The unit connects and is accepted
    Then the CSMS receives BootNotification within 60 s:
      """
      {"chargePointSerialNumber": "${unit.serial}"}
      """
    And the charger reports Available within 30 s
    And no OCPP violation was recorded
