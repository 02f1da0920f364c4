@eol @requires.eol-station @eol.duty-cycle @IEC61851-1
Feature: EOL 4 - Duty cycle at current steps from 6 A to the rated current
  The CSMS's default charging profile sets the limit before the session starts, so each step
  is offered at once (no 5 s wait between duty changes) and the vehicle follows it. Rows up to
  16 A for the 16 A products; the 32 A products add their rows.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted
    And the EV draws up to 32 A on 3 phases
    And the EV follows a new offer within 0.2 s

  Scenario Outline: The pilot offers <amps> A and the vehicle draws it
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 90, "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",
        "chargingSchedule": {"chargingRateUnit": "A", "startSchedule": "${now-60s}",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": <amps>}]}}}
      """
    Then the charger responds with status Accepted
    Given a charging session is running for "04A2B3C4"
    Then the pilot offers <amps> A within 5 s
    And the pilot is a 1000 Hz PWM
    And the EV draws <amps> A per phase within 6 s

    Examples:
      | amps |
      | 6    |
      | 10   |
      | 13   |
      | 16   |

  @requires.dut.rated-32a
  Scenario Outline: A 32 A product offers <amps> A and the vehicle draws it
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 90, "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",
        "chargingSchedule": {"chargingRateUnit": "A", "startSchedule": "${now-60s}",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": <amps>}]}}}
      """
    Then the charger responds with status Accepted
    Given a charging session is running for "04A2B3C4"
    Then the pilot offers <amps> A within 5 s
    And the pilot is a 1000 Hz PWM
    And the EV draws <amps> A per phase within 6 s

    Examples:
      | amps |
      | 20   |
      | 32   |
