@eol @requires.eol-station @eol.contactor @IEC61851-1
Feature: EOL 5 - Contactor closing and opening times, welded contacts
  Times are measured from the EV emulator's acknowledgement of the vehicle's action to the
  first sample with the supply at the inlet on (or off). After opening, no phase may still be
  live at the inlet (every phase below 50 V) and the vehicle draws nothing: a welded contact
  would keep the supply there.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted
    And the EV draws up to 16 A on 3 phases
    And the EV follows a new offer within 0.2 s

  Scenario: The contactor closes within 3 s, opens within 100 ms, and its contacts are not welded
    When the EV plugs in
    And the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    Then the charger responds with status Accepted
    And the pilot offers the rated current within 5 s
    When the EV goes to state C
    Then the contactor closes within 3000 ms after the EV's last action
    When the EV goes to state B
    Then the contactor opens within 100 ms after the EV's last action
    # 500 ms: the firmware decides the contactor in one evaluation of the pilot (10 ms status,
    # 20 ms debounce, 20 ms diode proof; stage 5 measures about 50 ms from C to closed), so a
    # contactor that should not close would close well inside this window.
    And the contactor stays open for 500 ms
    And the EV draws no current within 1 s

  # Proves on the emulated station that the welded-contact check can fail: a real station
  # cannot weld a unit's contactor on purpose.
  @requires.sim-faults @emulated-only
  Scenario: A welded contactor is found
    Given a charging session is running for "04A2B3C4"
    When the contactor welds
    And the EV goes to state B
    Then the charger reports Faulted within 5 s
