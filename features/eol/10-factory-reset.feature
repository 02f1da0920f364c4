@eol @requires.eol-station @eol.factory-reset @requires.local-interface
Feature: EOL 10 - Factory reset to the shipping state
  Last stage: the station resets the unit with its PIN. Afterwards the unit has no CSMS, no
  Wi-Fi network, no offline cards and the product's default installation, while its serial
  number, product number and PIN survive.

  Scenario: The unit leaves the line in its shipping state
    Given the charger is ready
    When the station resets the unit to factory settings
    Then the unit is in its shipping state
