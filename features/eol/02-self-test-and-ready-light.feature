@eol @requires.eol-station @eol.self-test
Feature: EOL 2 - Start-up self-test and the ready light
  At power-on the unit runs its self-tests (power board link, residual-current detector) and is
  ready when its central light is solid white.

  Scenario: The unit passes its start-up self-test and shows the ready light
    Given the charger is ready
    Then the ready light is solid white within 10 s
    And the pilot shows state A within 500 ms
    And the pilot is steady
    # 500 ms: the firmware decides the contactor in one evaluation of the pilot (10 ms status,
    # 20 ms debounce, 20 ms diode proof; stage 5 measures about 50 ms from C to closed), so a
    # contactor that should not close would close well inside this window.
    And the contactor stays open for 500 ms
