@load
Feature: Limits on the offered current
  Every limit the charger knows (installation maximum, fuse, cable rating, the CSMS's charging
  profile, temperature) shows in the duty cycle of the pilot AND in the current the vehicle
  draws. The vehicle could take 32 A per phase, so only the charger limits it.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted
    And the EV draws up to 32 A on 3 phases

  @load.installation-max @requires.local-interface
  Scenario: The installation's maximum current limits the charge
    Given the installer sets the maximum current to 10 A
    And a charging session is running for "04A2B3C4"
    Then the pilot offers 10 A within 5 s
    And the EV draws 10 A per phase within 6 s

  @load.installation-max @requires.local-interface
  Scenario: A new installation maximum during a charge is followed at once
    Given the installer sets the maximum current to 13 A
    And a charging session is running for "04A2B3C4"
    Then the pilot offers 13 A within 5 s
    When the installer sets the maximum current to 8 A
    Then the pilot offers 8 A within 6 s
    And the EV draws 8 A per phase within 6 s

  @load.fuse @requires.local-interface
  Scenario: The fuse rating limits the charge
    Given the installer sets the fuse rating to 13 A
    And a charging session is running for "04A2B3C4"
    Then the pilot offers 13 A within 5 s
    And the EV draws at most 13.5 A per phase within 6 s

  @load.cable @requires.socket
  Scenario: A 13 A cable limits the charge
    When the EV plugs in with a 13 A cable
    And the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    Then the charger responds with status Accepted
    And the pilot offers 13 A within 5 s
    When the EV goes to state C
    Then the EV draws 13 A per phase within 6 s

  @load.smart-charging
  Scenario: A charging profile from the CSMS limits the charge
    Given a charging session is running for "04A2B3C4"
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 1, "transactionId": ${transactionId},
        "stackLevel": 0, "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",
        "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7}]}}}
      """
    Then the charger responds with status Accepted
    And the pilot offers 7 A within 6 s
    And the EV draws 7 A per phase within 6 s

  # The firmware derates linearly from its rated current at 70 °C to 6 A at 85 °C and stops
  # at 85 °C. At 83 °C that is 7.3 A on a 16 A product and 9.5 A on a 32 A one, so "at most
  # 10 A" holds for every product line.
  @load.temperature @requires.sim-faults
  Scenario: The charger derates when hot, stops when too hot, and recovers when cool
    Given a charging session is running for "04A2B3C4"
    Then the pilot offers the rated current within 5 s
    When the charger's temperature rises to 83 °C
    Then the pilot offers at most 10 A within 10 s
    And the EV draws at most 10.5 A per phase within 6 s
    When the charger's temperature rises to 90 °C
    Then the contactor opens within 10 s
    When the charger's temperature falls to 25 °C
    Then the pilot offers the rated current within 15 s
    And the EV draws the rated current per phase within 10 s
