@IEC61851-1 @iec.duty-cycle
Feature: IEC 61851-1 duty cycle for the offered current
  A 1 kHz PWM whose duty cycle D tells the vehicle the current it may draw: I = 0.6 × D for
  10 % ≤ D ≤ 85 %, 6 A at 10 %. The limit is set with a TxDefaultProfile from the CSMS; the
  vehicle's on-board charger could take more, so what it draws shows the limit too.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted
    And the EV draws up to 32 A on 3 phases

  Scenario Outline: Duty cycle for <amps> A
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 0, "csChargingProfiles": {"chargingProfileId": 1, "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Relative",
        "chargingSchedule": {"chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": <amps>}]}}}
      """
    Then the charger responds with status Accepted
    Given a charging session is running for "04A2B3C4"
    Then the duty cycle is <duty> % within 6 s
    And the pilot is a 1000 Hz PWM
    And the EV draws <amps> A per phase within 6 s

    Examples:
      | amps | duty |
      | 6    | 10.0 |
      | 10   | 16.7 |
      | 13   | 21.7 |
      | 16   | 26.7 |

  @requires.dut.rated-32a
  Scenario Outline: Duty cycle for <amps> A on a 32 A unit
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 0, "csChargingProfiles": {"chargingProfileId": 1, "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Relative",
        "chargingSchedule": {"chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": <amps>}]}}}
      """
    Then the charger responds with status Accepted
    Given a charging session is running for "04A2B3C4"
    Then the duty cycle is <duty> % within 6 s
    And the EV draws <amps> A per phase within 6 s

    Examples:
      | amps | duty |
      | 20   | 33.3 |
      | 32   | 53.3 |
