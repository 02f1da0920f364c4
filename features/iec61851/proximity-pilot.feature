@IEC61851-1 @iec.pp-coding @requires.socket
Feature: IEC 61851-1 proximity pilot codings of a socket outlet
  The resistor between PP and PE in the plug tells the charger the cable's rating; the charger
  offers the lesser of the cable rating and its other limits. A ChargePointMaxProfile of 16 A
  makes the expected values the same on every variant rated 16 A or more.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted
    And the EV draws up to 32 A on 3 phases
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 0, "csChargingProfiles": {"chargingProfileId": 1, "stackLevel": 0,
        "chargingProfilePurpose": "ChargePointMaxProfile", "chargingProfileKind": "Relative",
        "chargingSchedule": {"chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}]}}}
      """
    Then the charger responds with status Accepted

  Scenario Outline: A <cable> A cable (<ohms> Ω) is offered <offered> A
    When the EV plugs in with a <cable> A cable
    And the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    Then the charger responds with status Accepted
    And the pilot offers <offered> A within 5 s
    When the EV goes to state C
    Then the contactor closes within 3000 ms after the EV's last action
    And the EV draws <offered> A per phase within 6 s

    Examples:
      | cable | ohms | offered |
      | 13    | 1500 | 13      |
      | 20    | 680  | 16      |
      | 32    | 220  | 16      |
      | 63    | 100  | 16      |

  @iec.pp-above-range
  Scenario: A PP resistance above the highest range (no cable) gives no charging
    When the EV plugs in with a cable coded 4700 Ω
    And the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    And the EV goes to state C
    Then no StartTransaction arrives during 3 s
    And the contactor stays open for 1 s

  Scenario: A PP resistance below the lowest range is a fault
    When the EV plugs in with a cable coded 40 Ω
    Then the charger reports Faulted within 5 s
    When the EV goes to state C
    Then the contactor stays open for 2 s
