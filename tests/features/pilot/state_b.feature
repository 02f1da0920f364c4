Feature: The pilot follows the vehicle (end-to-end check of the harness itself)

  Scenario: A plugged-in vehicle is seen in state B
    When the EV plugs in
    Then the pilot shows state B within 1000 ms
