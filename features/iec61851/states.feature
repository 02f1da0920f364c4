@IEC61851-1
Feature: IEC 61851-1 control pilot states A to F
  The EV emulator loads the control pilot like a vehicle and measures what the charger drives on
  it: +12 V with nothing connected (A), +9 V connected (B), +6 V charging (C), +3 V charging with
  ventilation (D), 0 V when CP is shorted to PE (E), -12 V when the charger is not available (F).

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted

  @iec.state-a
  Scenario: State A - no vehicle: steady +12 V, no supply
    Then the pilot shows state A within 500 ms
    And the pilot is steady
    And the contactor stays open for 1 s

  @iec.state-b
  Scenario: State B - vehicle connected, not ready: +9 V, no supply, PWM once a session is authorized
    When the EV plugs in
    Then the pilot shows state B within 500 ms
    And the pilot is steady
    And the contactor stays open for 1 s
    When the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    Then the charger responds with status Accepted
    And the pilot offers the rated current within 5 s
    And the pilot is a 1000 Hz PWM
    And the contactor stays open for 2 s

  @iec.state-c @iec.contactor-close-3s
  Scenario: State C - vehicle ready: +6 V, supply on within 3 s
    Given the EV draws up to 16 A on 3 phases
    And a charging session is running for "04A2B3C4"
    Then the pilot shows state C within 500 ms
    And the pilot is a 1000 Hz PWM
    And the supply at the EV is 230 V per phase
    And the EV draws 16 A per phase within 6 s

  @iec.state-d
  Scenario: State D - ventilation required: +3 V, a charger without ventilation does not supply
    When the EV plugs in
    And the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    Then the charger responds with status Accepted
    When the EV goes to state D
    Then the pilot shows state D within 500 ms
    And the contactor stays open for 3 s

  @iec.state-e @iec.cp-pe-short @requires.fault-injection
  Scenario: State E - CP shorted to PE: 0 V, supply off, connector Faulted
    Given a charging session is running for "04A2B3C4"
    When the EV has a CP–PE short
    Then the pilot shows state E within 500 ms
    And the contactor opens within 100 ms after the EV's last action
    And the charger reports Faulted within 5 s

  @iec.state-f @iec.state-f-300ms @iec.diode-short @requires.fault-injection
  Scenario: State F - after a fault the charger drives -12 V for at least 300 ms
    Given a charging session is running for "04A2B3C4"
    When the EV has a shorted diode
    Then the contactor opens within 100 ms after the EV's last action
    And the pilot shows state F within 500 ms
    And the pilot stays in state F for at least 300 ms
    And the charger reports Faulted within 5 s

  @iec.state-f
  Scenario: State F - an unavailable charger offers no pilot to a vehicle
    When the CSMS sends ChangeAvailability:
      """
      {"connectorId": 0, "type": "Inoperative"}
      """
    Then the charger responds with status Accepted
    When the EV plugs in
    Then the pilot shows state F within 1000 ms
    And the contactor stays open for 2 s
