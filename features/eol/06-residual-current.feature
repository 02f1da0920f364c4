@eol @requires.eol-station @eol.residual-current @residual-current
Feature: EOL 6 - Residual-current self-test and the 6 mA DC trip
  The detector tests itself at each plug-in: the contactor closes only after the self-test
  passed. Then 6 mA DC is injected on the vehicle side: the charger must open the contactor
  within 10 s (IEC 62955) and report the fault.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted
    And the EV draws up to 16 A on 3 phases
    And the EV follows a new offer within 0.2 s

  Scenario: The self-test at plug-in passes and 6 mA DC trips within 10 s
    Given a charging session is running for "04A2B3C4"
    Then the contactor closes within 3 s
    When the EV leaks 6 mA DC residual current
    Then the contactor opens within 10000 ms after the EV's last action
    And the charger reports Faulted within 5 s
    And the EV draws no current within 1 s
