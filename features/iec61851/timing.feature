@IEC61851-1
Feature: IEC 61851-1 timing rules, measured by the instruments
  Reaction times are measured from the EV emulator's acknowledgement of its last command to the
  first sample where the supply at the vehicle inlet is off (or on), and recorded in the report
  with their limits.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted
    And the EV draws up to 16 A on 3 phases

  @iec.contactor-open-100ms
  Scenario Outline: The contactor opens within 100 ms after <transition>
    Given a charging session is running for "04A2B3C4"
    When <action>
    Then the contactor opens within 100 ms after the EV's last action

    Examples:
      | transition | action                  |
      | C to B     | the EV goes to state B  |
      | C to A     | the EV unplugs          |

  @iec.contactor-open-100ms @requires.fault-injection
  Scenario Outline: The contactor opens within 100 ms after <transition>
    Given a charging session is running for "04A2B3C4"
    When <action>
    Then the contactor opens within 100 ms after the EV's last action

    Examples:
      | transition             | action                    |
      | E (CP shorted to PE)   | the EV has a CP–PE short  |
      | F (diode short)        | the EV has a shorted diode |

  @iec.contactor-close-3s
  Scenario: The contactor closes within 3 s after B to C
    When the EV plugs in
    And the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    Then the charger responds with status Accepted
    And the pilot offers the rated current within 5 s
    When the EV goes to state C
    Then the contactor closes within 3000 ms after the EV's last action

  @iec.switch-off-under-load-6s
  Scenario: A vehicle that keeps drawing after the PWM is withdrawn is switched off within 6 s
    Given the EV ignores the pilot
    And a charging session is running for "04A2B3C4"
    Then the EV draws 16 A per phase within 6 s
    When the CSMS sends RemoteStopTransaction:
      """
      {"transactionId": ${transactionId}}
      """
    Then the charger responds with status Accepted
    And the contactor opens under load within 6 s after the PWM stops
    And the EV draws no current within 1 s

  @iec.duty-change-5s
  Scenario: The duty cycle changes at most every 5 s
    Given a charging session is running for "04A2B3C4"
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 1, "transactionId": ${transactionId},
        "stackLevel": 0, "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",
        "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10}]}}}
      """
    Then the charger responds with status Accepted
    And the pilot offers 10 A within 6 s
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 1, "transactionId": ${transactionId},
        "stackLevel": 0, "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",
        "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 13}]}}}
      """
    Then the charger responds with status Accepted
    And the duty cycle does not change for 4 s
    And the pilot offers 13 A within 3 s
    And the EV draws 13 A per phase within 6 s
