@ocpp16.core
Feature: OCPP 1.6 Core - fault behaviour
  A vehicle-side fault made by the EV emulator puts the connector in Faulted; no transaction
  starts while it lasts.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted

  @TC_041_CS @requires.fault-injection @requires.rfid
  Scenario: TC_041_CS Fault Behavior
    When the EV plugs in
    And the EV has a CP–PE short
    Then the charger reports Faulted within 5 s
    When the driver presents the card "04A2B3C4"
    Then no StartTransaction arrives during 5 s
    And the contactor stays open for 1 s
