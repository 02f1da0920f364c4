@ocpp16.core
Feature: OCPP 1.6 Core - meter values during a transaction
  Sampled values at the sample interval and clock-aligned values on the interval boundaries,
  with short intervals configured for speed.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted

  @TC_070_CS
  Scenario: TC_070_CS Sampled Meter Values
    Given the charger is configured with:
      | key                      | value                         |
      | ClockAlignedDataInterval | 0                             |
      | MeterValueSampleInterval | 2                             |
      | MeterValuesSampledData   | Energy.Active.Import.Register |
    And a charging session is running for "04A2B3C4"
    Then the CSMS receives 3 MeterValues within 10 s, timestamps in order and 2 s apart:
      """
      {"connectorId": 1, "transactionId": ${transactionId},
       "meterValue": [{"sampledValue": [{"measurand": "Energy.Active.Import.Register", "context": "Sample.Periodic"}]}]}
      """

  @TC_071_CS
  Scenario: TC_071_CS Clock-aligned Meter Values
    Given the charger is configured with:
      | key                      | value                         |
      | MeterValueSampleInterval | 0                             |
      | ClockAlignedDataInterval | 5                             |
      | MeterValuesAlignedData   | Energy.Active.Import.Register |
    And a charging session is running for "04A2B3C4"
    Then the CSMS receives 2 MeterValues within 13 s, timestamps on 5 s boundaries:
      """
      {"connectorId": 1,
       "meterValue": [{"sampledValue": [{"measurand": "Energy.Active.Import.Register", "context": "Sample.Clock"}]}]}
      """
