@eol @requires.eol-station @eol.provisioning @requires.local-interface
Feature: EOL 1 - Provisioning: serial number, PIN, product number, firmware version
  The station writes the serial number from the unit's label and a fresh PIN, then reads back
  what the unit reports on its local interface after logging in with that PIN. The PIN is kept
  in memory for this run only (for the read-back and the factory reset) and goes to the label
  printer; the database stores only that a PIN was provisioned. The released firmware version
  is the rig's `[eol] firmware_version`.

  Scenario: Serial number and PIN are written and read back
    Given the charger is ready
    When the station provisions the unit's serial number and a new PIN
    Then the unit reads back its serial number, product number and PIN
    And the unit's firmware version is the released one
