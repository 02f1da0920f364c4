@residual-current @requires.fault-injection
Feature: DC residual current detection (6 mA, IEC 62955)
  The charger's detector trips on 6 mA DC within 10 s, not at 3 mA, tests itself at start-up,
  and after a trip keeps the supply off until the vehicle is unplugged. The EV emulator injects
  the DC leakage on the vehicle side.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted
    And the EV draws up to 16 A on 3 phases

  @rcd.trip-6ma
  Scenario: 6 mA DC trips within 10 s
    Given a charging session is running for "04A2B3C4"
    When the EV leaks 6 mA DC residual current
    Then the contactor opens within 10000 ms after the EV's last action
    And the charger reports Faulted within 5 s
    And the EV draws no current within 1 s

  @rcd.no-trip-3ma
  Scenario: 3 mA DC does not trip
    Given a charging session is running for "04A2B3C4"
    When the EV leaks 3 mA DC residual current
    Then the contactor stays closed for 11 s
    And no StatusNotification arrives during 1 s:
      """
      {"status": "Faulted"}
      """

  @rcd.lock-out
  Scenario: After a trip the supply stays off until the vehicle is unplugged
    Given a charging session is running for "04A2B3C4"
    When the EV leaks 6 mA DC residual current
    Then the contactor opens within 10 s
    When the EV leaks 0 mA DC residual current
    Then the contactor stays open for 3 s
    When the EV goes to state B
    And the EV goes to state C
    Then the contactor stays open for 3 s
    When the EV unplugs
    Then the charger reports Available within 10 s
    When the EV plugs in
    And the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    Then the charger responds with status Accepted
    When the EV goes to state C
    Then the contactor closes within 3000 ms after the EV's last action

  @rcd.self-test @requires.sim-faults @requires.power-cycle
  Scenario: A detector that fails its start-up self-test keeps the charger out of service
    Given the residual-current detector's self-test fails
    When the charger is power cycled
    Then the CSMS receives BootNotification within 60 s
    And the charger reports Faulted within 30 s
    When the EV plugs in
    And the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    And the EV goes to state C
    Then the contactor stays open for 3 s
    And no StartTransaction arrives during 1 s
