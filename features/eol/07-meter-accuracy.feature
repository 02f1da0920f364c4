@eol @requires.eol-station @eol.meter @metering @requires.power-analyser
Feature: EOL 7 - Meter accuracy against the analyser at 10 %, 50 % and 100 % of the rated current
  Each phase's current and voltage, and the total active power, from the unit's MeterValues are
  compared with the reference analyser (the unit reports active power as a total). The rated
  current and the class limits are the rig's `[eol] rated_current_a` and `[eol.meter]` (IEC
  62053-21 class 1 by default: ±1 % from 10 % of the rated current, ±1.5 % below, voltage ±1 %).
  The three load points are one session: the station's load changes its current, the pilot stays
  at the rated current. Each comparison waits until the load has been steady for longer than the
  unit's meter sample period.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted
    And the charger is configured with MeterValuesSampledData "Energy.Active.Import.Register,Current.Import,Voltage,Power.Active.Import"
    And the EV follows a new offer within 0.2 s

  Scenario: The meter agrees with the analyser at 10 %, 50 % and 100 % of the rated current
    Given the EV draws 10 % of the rated current on each phase
    And a charging session is running for "04A2B3C4"
    Then the EV draws 10 % of the rated current per phase within 6 s
    And the charger's Current.Import on L1 agrees with the analyser within the class limit
    And the charger's Current.Import on L2 agrees with the analyser within the class limit
    And the charger's Current.Import on L3 agrees with the analyser within the class limit
    And the charger's Voltage on L1 agrees with the analyser within the class limit
    And the charger's Voltage on L2 agrees with the analyser within the class limit
    And the charger's Voltage on L3 agrees with the analyser within the class limit
    And the charger's Power.Active.Import agrees with the analyser within the class limit
    When the EV draws 50 % of the rated current on each phase
    Then the EV draws 50 % of the rated current per phase within 6 s
    And the charger's Current.Import on L1 agrees with the analyser within the class limit
    And the charger's Current.Import on L2 agrees with the analyser within the class limit
    And the charger's Current.Import on L3 agrees with the analyser within the class limit
    And the charger's Voltage on L1 agrees with the analyser within the class limit
    And the charger's Voltage on L2 agrees with the analyser within the class limit
    And the charger's Voltage on L3 agrees with the analyser within the class limit
    And the charger's Power.Active.Import agrees with the analyser within the class limit
    When the EV draws 100 % of the rated current on each phase
    Then the EV draws 100 % of the rated current per phase within 6 s
    And the charger's Current.Import on L1 agrees with the analyser within the class limit
    And the charger's Current.Import on L2 agrees with the analyser within the class limit
    And the charger's Current.Import on L3 agrees with the analyser within the class limit
    And the charger's Voltage on L1 agrees with the analyser within the class limit
    And the charger's Voltage on L2 agrees with the analyser within the class limit
    And the charger's Voltage on L3 agrees with the analyser within the class limit
    And the charger's Power.Active.Import agrees with the analyser within the class limit
