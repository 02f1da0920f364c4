@ocpp16.core
Feature: OCPP 1.6 Core - configuration and data transfer
  The required Core keys exist with the right accessibility, changes are applied and read back,
  unknown keys and bad values are refused.

  Background:
    Given the charger is idle

  @TC_019_CS
  Scenario: TC_019_CS Retrieve configuration
    When the CSMS sends GetConfiguration:
      """
      {"key": ["SupportedFeatureProfiles"]}
      """
    Then the charger responds with:
      """
      {"configurationKey": [{"key": "SupportedFeatureProfiles", "readonly": true}]}
      """
    And the reported configuration has no unknown keys
    When the CSMS sends GetConfiguration
    Then the reported configuration has no unknown keys
    And the reported configuration has the keys:
      | key                               | access  |
      | AuthorizeRemoteTxRequests         | R or RW |
      | ClockAlignedDataInterval          | RW      |
      | ConnectionTimeOut                 | RW      |
      | ConnectorPhaseRotation            | RW      |
      | GetConfigurationMaxKeys           | R       |
      | HeartbeatInterval                 | RW      |
      | LocalAuthorizeOffline             | RW      |
      | LocalPreAuthorize                 | RW      |
      | MeterValuesAlignedData            | RW      |
      | MeterValuesSampledData            | RW      |
      | MeterValueSampleInterval          | RW      |
      | NumberOfConnectors                | R       |
      | ResetRetries                      | RW      |
      | StopTransactionOnEVSideDisconnect | R or RW |
      | StopTransactionOnInvalidId        | RW      |
      | StopTxnAlignedData                | RW      |
      | StopTxnSampledData                | RW      |
      | SupportedFeatureProfiles          | R       |
      | TransactionMessageAttempts        | RW      |
      | TransactionMessageRetryInterval   | RW      |
      | UnlockConnectorOnEVSideDisconnect | R or RW |
    When the CSMS sends GetConfiguration:
      """
      {"key": ["HeartbeatInterval", "ConnectionTimeOut", "NumberOfConnectors", "ResetRetries", "LocalPreAuthorize"]}
      """
    Then the reported configuration has no unknown keys
    And the reported configuration has the keys:
      | key                | access | value |
      | NumberOfConnectors | R      | 1     |
      | HeartbeatInterval  | RW     |       |
      | ConnectionTimeOut  | RW     |       |
      | ResetRetries       | RW     |       |
      | LocalPreAuthorize  | RW     |       |

  @TC_021_CS
  Scenario: TC_021_CS Change/set Configuration
    When the CSMS sends ChangeConfiguration:
      """
      {"key": "MeterValueSampleInterval", "value": "7"}
      """
    Then the charger responds with status Accepted
    And the charger's MeterValueSampleInterval is "7"

  @TC_040_1_CS
  Scenario: TC_040_1_CS Configuration key - NotSupported
    When the CSMS sends ChangeConfiguration:
      """
      {"key": "Testing", "value": "1"}
      """
    Then the charger responds with status NotSupported

  @TC_040_2_CS
  Scenario: TC_040_2_CS Configuration key - Invalid value
    When the CSMS sends ChangeConfiguration:
      """
      {"key": "MeterValueSampleInterval", "value": "-1"}
      """
    Then the charger responds with status Rejected or CallError PropertyConstraintViolation
    And the charger's MeterValueSampleInterval is not "-1"

  @TC_062_CS
  Scenario: TC_062_CS Data Transfer to a Charge Point
    When the CSMS sends DataTransfer:
      """
      {"vendorId": "org.example.unknown-vendor", "messageId": "Probe", "data": "42"}
      """
    Then the charger responds with status Rejected or UnknownMessageId or UnknownVendorId
