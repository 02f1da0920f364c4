@ocpp16.core
Feature: OCPP 1.6 Core - transaction messages survive a power cut while offline
  The charger's transaction messages are delivered with guaranteed delivery: what it queued
  while the CSMS was out of reach, and the end of a transaction a power cut interrupted, reach
  the CSMS after the charger comes back, even when the power failed before the network returned.
  (Not an OCTT case; it proves the transaction queue and the open transactions are kept in
  persistent storage.)

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted

  @ocpp16.offline-power-cut @requires.net-cut @requires.power-cycle
  Scenario: Meter values queued offline and the interrupted transaction's end are delivered after a power cycle
    Given the charger is configured with:
      | key                      | value |
      | MeterValueSampleInterval | 2     |
      | ClockAlignedDataInterval | 0     |
    And a charging session is running for "04A2B3C4"
    When the network is cut
    And 7 s pass
    And the charger is power cycled
    And the network is restored
    Then the CSMS receives BootNotification within 60 s
    And the CSMS receives MeterValues within 30 s:
      """
      {"transactionId": ${transactionId}}
      """
    And the CSMS receives StopTransaction within 30 s:
      """
      {"transactionId": ${transactionId}, "reason": "PowerLoss"}
      """
