@metering @requires.power-analyser
Feature: The charger's meter against the reference power analyser
  The analyser measures on the supply side of the charger; the charger's values come from its
  MeterValues (triggered by the CSMS). Tolerance: the rig's energy tolerance, 1 % here, as in
  IEC 62053-21 class 1 at power factor 1.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted
    And the charger is configured with MeterValuesSampledData "Energy.Active.Import.Register,Current.Import,Voltage,Power.Active.Import"

  @metering.energy
  # The analyser starts and stops right after the charger's register moves on, so both count
  # the same interval; with the register in mWh, 15 s at 11 kW (about 46 Wh) tells a 1 % error.
  Scenario: The energy register agrees with the analyser over a 15 s charge at 11 kW
    Given the EV draws up to 16 A on 3 phases
    And a charging session is running for "04A2B3C4"
    Then the EV draws 16 A per phase within 6 s
    When the analyser starts integrating energy
    And 15 s pass
    Then the analyser's energy agrees with the charger's within 1 %

  @metering.phases
  Scenario: Per-phase currents, voltages and power agree with the analyser at power factor 1
    Given the EV draws up to 16 A on 3 phases
    And a charging session is running for "04A2B3C4"
    Then the EV draws 16 A per phase within 6 s
    And the analyser measures 16 A on each phase within 5 s
    And the analyser measures 11.0 kW ± 0.4 kW
    And the charger's Current.Import on L1 agrees with the analyser within 1 %
    And the charger's Current.Import on L2 agrees with the analyser within 1 %
    And the charger's Current.Import on L3 agrees with the analyser within 1 %
    And the charger's Voltage on L1 agrees with the analyser within 1 %
    And the charger's Voltage on L2 agrees with the analyser within 1 %
    And the charger's Voltage on L3 agrees with the analyser within 1 %
    And the charger's Power.Active.Import agrees with the analyser within 1 %

  @metering.power-factor
  Scenario: Active power agrees with the analyser at power factor 0.5
    Given the EV draws up to 10 A on 3 phases at power factor 0.5
    And a charging session is running for "04A2B3C4"
    Then the EV draws 10 A per phase within 6 s
    And the charger's Power.Active.Import agrees with the analyser within 1.5 %
    And the charger's Current.Import on L1 agrees with the analyser within 1 %

  @metering.single-phase
  Scenario: A single-phase vehicle is metered on L1 only
    Given the EV draws up to 16 A on 1 phase
    And a charging session is running for "04A2B3C4"
    Then the EV draws 16 A per phase within 6 s
    And the analyser measures 3.7 kW ± 0.2 kW
    And the charger's Current.Import on L1 agrees with the analyser within 1 %
    And the charger's Power.Active.Import agrees with the analyser within 1 %
