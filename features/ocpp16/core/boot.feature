@ocpp16.core
Feature: OCPP 1.6 Core - booting and registration
  The charger registers with BootNotification, stays silent while Rejected, answers but sends
  nothing while Pending, and once Accepted reports every connector and keeps the heartbeat.
  Intervals are shortened in the scenario to keep it fast.

  Background:
    Given the charger is idle

  @TC_001_CS @requires.power-cycle
  Scenario: TC_001_CS Cold Boot Charge Point
    Given the CSMS answers BootNotification with Rejected and interval 4 s
    When the charger is power cycled
    Then the CSMS receives BootNotification within 60 s
    When the CSMS answers BootNotification with Accepted and interval 2 s
    Then no StatusNotification arrives during 2 s
    And the next BootNotification arrives between 4 s and 15 s after the previous one
    And connector 0 reports Available within 10 s
    And connector 1 reports Available within 10 s
    And the CSMS receives 3 Heartbeat within 12 s, 2 s apart (± 0.5 s)

  @TC_002_CS @requires.power-cycle
  Scenario: TC_002_CS Cold Boot Charge Point - Pending
    Given the CSMS answers BootNotification with Pending and interval 6 s
    When the charger is power cycled
    Then the CSMS receives BootNotification within 60 s
    When the CSMS sends GetConfiguration
    Then the reported configuration has no unknown keys
    And the reported configuration has the keys:
      | key                       | access |
      | HeartbeatInterval         | RW     |
      | MeterValueSampleInterval  | RW     |
    When the CSMS sends ChangeConfiguration:
      """
      {"key": "MeterValueSampleInterval", "value": "10"}
      """
    Then the charger responds with status Accepted
    And no StatusNotification arrives during 2 s
    When the CSMS answers BootNotification with Accepted and interval 2 s
    Then the next BootNotification arrives between 6 s and 20 s after the previous one
    And connector 1 reports Available within 10 s
    And the CSMS receives 3 Heartbeat within 12 s, 2 s apart (± 0.5 s)
