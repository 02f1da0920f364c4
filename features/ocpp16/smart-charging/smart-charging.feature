@ocpp16.smart-charging
Feature: OCPP 1.6 Smart Charging
  Charging profiles from the CSMS, the composite schedule the charger computes from them, and
  (where a vehicle charges) the limit seen in the pilot's duty cycle. A number written as
  "≈200 ± 5" in an expected answer allows for the seconds between setting a profile and asking
  for the schedule.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted

  @TC_056_CS
  Scenario: TC_056_CS Central Smart Charging - TxDefaultProfile
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 1, "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",
        "chargingSchedule": {"duration": 300, "startSchedule": "${now}", "chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10}]}}}
      """
    Then the charger responds with status Accepted
    When the CSMS sends GetCompositeSchedule:
      """
      {"connectorId": 1, "duration": 300, "chargingRateUnit": "A"}
      """
    Then the charger responds with:
      """
      {"status": "Accepted", "connectorId": 1,
       "chargingSchedule": {"chargingRateUnit": "A", "duration": "≈300 ± 5",
         "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10}]}}
      """

  @TC_057_CS
  Scenario: TC_057_CS Central Smart Charging - TxProfile
    Given a charging session is running for "04A2B3C4"
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 2, "transactionId": ${transactionId},
        "stackLevel": 0, "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Absolute",
        "chargingSchedule": {"duration": 300, "startSchedule": "${now}", "chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 8}]}}}
      """
    Then the charger responds with status Accepted
    And the pilot offers 8 A within 6 s
    When the CSMS sends GetCompositeSchedule:
      """
      {"connectorId": 1, "duration": 300, "chargingRateUnit": "A"}
      """
    Then the charger responds with:
      """
      {"status": "Accepted",
       "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 8}]}}
      """

  @TC_058_1_CS
  Scenario: TC_058_1_CS Central Smart Charging - No ongoing transaction
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 3, "transactionId": 777,
        "stackLevel": 0, "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",
        "chargingSchedule": {"chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 8}]}}}
      """
    Then the charger responds with status Rejected or CallError PropertyConstraintViolation

  @TC_058_2_CS
  Scenario: TC_058_2_CS Central Smart Charging - Wrong transactionId
    Given a charging session is running for "04A2B3C4"
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 4, "transactionId": 987654,
        "stackLevel": 0, "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",
        "chargingSchedule": {"chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 8}]}}}
      """
    Then the charger responds with status Rejected
    And the duty cycle does not change for 2 s

  @TC_082_CS
  Scenario: TC_082_CS Central Smart Charging - TxDefaultProfile - with ongoing transaction
    Given a charging session is running for "04A2B3C4"
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 5, "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",
        "chargingSchedule": {"duration": 300, "startSchedule": "${now}", "chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 12}]}}}
      """
    Then the charger responds with status Accepted
    And the pilot offers 12 A within 6 s
    When the CSMS sends GetCompositeSchedule:
      """
      {"connectorId": 1, "duration": 300, "chargingRateUnit": "A"}
      """
    Then the charger responds with:
      """
      {"status": "Accepted",
       "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 12}]}}
      """

  @TC_066_CS
  Scenario: TC_066_CS Get Composite Schedule
    Given a charging session is running for "04A2B3C4"
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 0, "csChargingProfiles": {"chargingProfileId": 10, "stackLevel": 0,
        "chargingProfilePurpose": "ChargePointMaxProfile", "chargingProfileKind": "Absolute",
        "chargingSchedule": {"duration": 400, "startSchedule": "${now}", "chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}, {"startPeriod": 350, "limit": 6}]}}}
      """
    Then the charger responds with status Accepted
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 11, "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",
        "chargingSchedule": {"duration": 400, "startSchedule": "${now}", "chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10}, {"startPeriod": 100, "limit": 14}]}}}
      """
    Then the charger responds with status Accepted
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 12, "transactionId": ${transactionId},
        "stackLevel": 0, "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Absolute",
        "chargingSchedule": {"duration": 300, "startSchedule": "${now}", "chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 12}, {"startPeriod": 200, "limit": 8}]}}}
      """
    Then the charger responds with status Accepted
    When the CSMS sends GetCompositeSchedule:
      """
      {"connectorId": 1, "duration": 400, "chargingRateUnit": "A"}
      """
    # TxProfile wins over TxDefaultProfile while it lasts; ChargePointMaxProfile caps both.
    Then the charger responds with:
      """
      {"status": "Accepted",
       "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [
         {"startPeriod": 0, "limit": 12},
         {"startPeriod": "≈200 ± 5", "limit": 8},
         {"startPeriod": "≈300 ± 5", "limit": 14},
         {"startPeriod": "≈350 ± 5", "limit": 6}]}}
      """
    And the pilot offers 12 A within 6 s

  @TC_067_CS
  Scenario: TC_067_CS Clear Charging Profile
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 20, "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",
        "chargingSchedule": {"duration": 300, "startSchedule": "${now}", "chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10}]}}}
      """
    Then the charger responds with status Accepted
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 21, "stackLevel": 1,
        "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",
        "chargingSchedule": {"duration": 300, "startSchedule": "${now}", "chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7}]}}}
      """
    Then the charger responds with status Accepted
    When the CSMS sends ClearChargingProfile:
      """
      {"id": 21}
      """
    Then the charger responds with status Accepted
    When the CSMS sends GetCompositeSchedule:
      """
      {"connectorId": 1, "duration": 300, "chargingRateUnit": "A"}
      """
    Then the charger responds with:
      """
      {"status": "Accepted", "chargingSchedule": {"chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10}]}}
      """
    When the CSMS sends ClearChargingProfile:
      """
      {"chargingProfilePurpose": "TxDefaultProfile", "stackLevel": 0}
      """
    Then the charger responds with status Accepted
    When the CSMS sends ClearChargingProfile:
      """
      {"id": 20}
      """
    Then the charger responds with status Unknown
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 22, "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",
        "chargingSchedule": {"duration": 300, "startSchedule": "${now}", "chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 9}]}}}
      """
    Then the charger responds with status Accepted
    When the CSMS sends ClearChargingProfile
    Then the charger responds with status Accepted
    When the CSMS sends ClearChargingProfile:
      """
      {"id": 22}
      """
    Then the charger responds with status Unknown

  @TC_072_CS
  Scenario: TC_072_CS Stacking Charging Profiles
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 30, "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",
        "chargingSchedule": {"duration": 400, "startSchedule": "${now}", "chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10}]}}}
      """
    Then the charger responds with status Accepted
    When the CSMS sends SetChargingProfile:
      """
      {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 31, "stackLevel": 1,
        "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",
        "chargingSchedule": {"duration": 300, "startSchedule": "${now}", "chargingRateUnit": "A",
          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7}, {"startPeriod": 100, "limit": 9},
                                     {"startPeriod": 200, "limit": 8}]}}}
      """
    Then the charger responds with status Accepted
    When the CSMS sends GetCompositeSchedule:
      """
      {"connectorId": 1, "duration": 400, "chargingRateUnit": "A"}
      """
    # The higher stack level wins while it is valid, then the lower one shows through.
    Then the charger responds with:
      """
      {"status": "Accepted",
       "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [
         {"startPeriod": 0, "limit": 7},
         {"startPeriod": "≈100 ± 5", "limit": 9},
         {"startPeriod": "≈200 ± 5", "limit": 8},
         {"startPeriod": "≈300 ± 5", "limit": 10}]}}
      """

  @TC_059_CS
  Scenario: TC_059_CS Remote Start Transaction with Charging Profile
    When the EV plugs in
    Then the charger reports Preparing within 5 s
    When the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4",
       "chargingProfile": {"chargingProfileId": 40, "stackLevel": 0,
         "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",
         "chargingSchedule": {"chargingRateUnit": "A",
           "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6}]}}}
      """
    Then the charger responds with status Accepted
    When the EV goes to state C
    Then the charger starts a transaction and reports Charging within 10 s:
      """
      {"idTag": "04A2B3C4"}
      """
    And the pilot offers 6 A within 6 s
    When the CSMS sends GetCompositeSchedule:
      """
      {"connectorId": 1, "duration": 300, "chargingRateUnit": "A"}
      """
    Then the charger responds with:
      """
      {"status": "Accepted", "chargingSchedule": {"chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6}]}}
      """

  @TC_060_CS
  Scenario: TC_060_CS Remote Start Transaction with Charging Profile - Rejected
    When the EV plugs in
    Then the charger reports Preparing within 5 s
    When the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4",
       "chargingProfile": {"chargingProfileId": 41, "stackLevel": 0,
         "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Relative",
         "chargingSchedule": {"chargingRateUnit": "A",
           "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6}]}}}
      """
    Then the charger responds with status Rejected or CallError PropertyConstraintViolation
    And no StartTransaction arrives during 2 s
