@ocpp16.remote-trigger
Feature: OCPP 1.6 Remote Trigger
  The CSMS asks the charger to send a message now.

  Background:
    Given the charger is idle

  @TC_054_CS
  Scenario: TC_054_CS Trigger Message
    When the CSMS sends TriggerMessage:
      """
      {"requestedMessage": "MeterValues", "connectorId": 1}
      """
    Then the charger responds with status Accepted
    And the CSMS receives MeterValues within 5 s:
      """
      {"connectorId": 1}
      """
    When the CSMS sends TriggerMessage:
      """
      {"requestedMessage": "Heartbeat"}
      """
    Then the charger responds with status Accepted
    And the CSMS receives Heartbeat within 5 s
    When the CSMS sends TriggerMessage:
      """
      {"requestedMessage": "StatusNotification", "connectorId": 1}
      """
    Then the charger responds with status Accepted
    And the CSMS receives StatusNotification within 5 s:
      """
      {"connectorId": 1, "status": "Available"}
      """
    When the CSMS sends TriggerMessage:
      """
      {"requestedMessage": "DiagnosticsStatusNotification"}
      """
    Then the charger responds with status Accepted
    And the CSMS receives DiagnosticsStatusNotification within 5 s:
      """
      {"status": "Idle"}
      """
    When the CSMS sends TriggerMessage:
      """
      {"requestedMessage": "FirmwareStatusNotification"}
      """
    Then the charger responds with status Accepted or NotImplemented

  @TC_055_CS
  Scenario: TC_055_CS Trigger Message - Rejected
    When the CSMS sends TriggerMessage:
      """
      {"requestedMessage": "MeterValues", "connectorId": 2}
      """
    Then the charger responds with status Rejected or CallError
