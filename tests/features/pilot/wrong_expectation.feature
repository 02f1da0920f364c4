Feature: A wrong expectation fails (end-to-end check of the harness itself)

  # The vehicle only plugs in, so the pilot is in state B; expecting C must fail, and the
  # failure must say what was expected and what was seen.
  @deliberately-wrong
  Scenario: Expecting state C from a vehicle that never asked for it
    When the EV plugs in
    Then the pilot shows state C within 1000 ms
