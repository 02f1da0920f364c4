@IEC61851-1 @requires.fault-injection
Feature: IEC 61851-1 vehicle-side faults
  The EV emulator shorts the vehicle's diode, shorts CP to PE, or opens PE, during a charge and
  before one. The charger must switch the supply off and not start again while the fault lasts.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted

  @iec.diode-short
  Scenario: A shorted diode is detected before charging starts
    When the EV plugs in
    And the EV has a shorted diode
    And the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    And the EV goes to state C
    Then the contactor stays open for 3 s
    And the charger reports Faulted within 5 s

  @iec.cp-pe-short
  Scenario: A CP-PE short during a charge stops it, and charging resumes only after the fault is gone
    Given a charging session is running for "04A2B3C4"
    When the EV has a CP–PE short
    Then the contactor opens within 100 ms after the EV's last action
    And the charger reports Faulted within 5 s
    And the contactor stays open for 2 s
    When the EV's fault is cleared
    And the EV unplugs
    Then the charger reports Available within 10 s

  @iec.pe-open
  Scenario: An open PE during a charge switches the supply off
    Given a charging session is running for "04A2B3C4"
    When the EV has an open PE
    Then the contactor opens within 100 ms after the EV's last action
    And the EV draws no current within 1 s
    And the contactor stays open for 2 s
