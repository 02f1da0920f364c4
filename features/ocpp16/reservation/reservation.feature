@ocpp16.reservation
Feature: OCPP 1.6 Reservation
  Reservations of the connector and of the whole charger, their expiry and cancellation, and
  the answers for a connector that cannot be reserved.

  Background:
    Given the charger is idle
    And the CSMS answers Authorize for "04A2B3C4" with Accepted

  @TC_046_1_CS @requires.rfid
  Scenario: TC_046_1_CS Reservation of a Connector - Local start transaction
    Given the CSMS answers Authorize for "04B5C6D7" with Accepted
    When the CSMS sends ReserveNow:
      """
      {"connectorId": 1, "expiryDate": "${now+300s}", "idTag": "04A2B3C4", "reservationId": 11}
      """
    Then the charger responds with status Accepted
    And the charger reports Reserved within 5 s
    When the driver presents the card "04B5C6D7"
    Then no StartTransaction arrives during 3 s
    And no StatusNotification arrives during 1 s:
      """
      {"connectorId": 1, "status": "Preparing"}
      """
    When the driver presents the card "04A2B3C4"
    Then the charger reports Preparing within 5 s
    When the EV plugs in
    And the EV goes to state C
    Then the charger starts a transaction and reports Charging within 10 s:
      """
      {"connectorId": 1, "idTag": "04A2B3C4", "reservationId": 11}
      """

  @TC_046_2_CS
  Scenario: TC_046_2_CS Reservation of a Connector - Remote start transaction
    When the CSMS sends ReserveNow:
      """
      {"connectorId": 1, "expiryDate": "${now+300s}", "idTag": "04A2B3C4", "reservationId": 12}
      """
    Then the charger responds with status Accepted
    And the charger reports Reserved within 5 s
    When the EV plugs in
    And the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    Then the charger responds with status Accepted
    When the EV goes to state C
    Then the charger starts a transaction and reports Charging within 10 s:
      """
      {"connectorId": 1, "idTag": "04A2B3C4", "reservationId": 12}
      """

  @TC_047_CS
  Scenario: TC_047_CS Reservation of a Connector - Expire
    When the CSMS sends ReserveNow:
      """
      {"connectorId": 1, "expiryDate": "${now+6s}", "idTag": "04A2B3C4", "reservationId": 13}
      """
    Then the charger responds with status Accepted
    And the charger reports Reserved within 5 s
    And the charger reports Available within 15 s

  @TC_048_1_CS @requires.fault-injection
  Scenario: TC_048_1_CS Reservation of a Connector - Faulted
    When the EV plugs in
    And the EV has a CP–PE short
    Then the charger reports Faulted within 5 s
    When the CSMS sends ReserveNow:
      """
      {"connectorId": 1, "expiryDate": "${now+300s}", "idTag": "04A2B3C4", "reservationId": 14}
      """
    Then the charger responds with status Faulted

  @TC_048_2_CS
  Scenario: TC_048_2_CS Reservation of a Connector - Occupied
    When the EV plugs in
    Then the charger reports Preparing within 5 s
    When the CSMS sends ReserveNow:
      """
      {"connectorId": 1, "expiryDate": "${now+300s}", "idTag": "04A2B3C4", "reservationId": 15}
      """
    Then the charger responds with status Occupied

  @TC_048_3_CS
  Scenario: TC_048_3_CS Reservation of a Connector - Unavailable
    When the CSMS sends ChangeAvailability:
      """
      {"connectorId": 1, "type": "Inoperative"}
      """
    Then the charger responds with status Accepted
    And the charger reports Unavailable within 5 s
    When the CSMS sends ReserveNow:
      """
      {"connectorId": 1, "expiryDate": "${now+300s}", "idTag": "04A2B3C4", "reservationId": 16}
      """
    Then the charger responds with status Unavailable

  @TC_048_4_CS @requires.dut.lacks-reservation
  Scenario: TC_048_4_CS Reservation of a Connector - Rejected
    When the CSMS sends ReserveNow:
      """
      {"connectorId": 1, "expiryDate": "${now+300s}", "idTag": "04A2B3C4", "reservationId": 17}
      """
    Then the charger responds with status Rejected

  @TC_049_CS
  Scenario: TC_049_CS Reservation of a Charge Point - Transaction
    Given the charger's configuration key ReserveConnectorZeroSupported is "true"
    When the CSMS sends ReserveNow:
      """
      {"connectorId": 0, "expiryDate": "${now+300s}", "idTag": "04A2B3C4", "reservationId": 21}
      """
    Then the charger responds with status Accepted
    When the EV plugs in
    And the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04A2B3C4"}
      """
    Then the charger responds with status Accepted
    When the EV goes to state C
    Then the charger starts a transaction and reports Charging within 10 s:
      """
      {"idTag": "04A2B3C4", "reservationId": 21}
      """

  @TC_050_1_CS @requires.fault-injection
  Scenario: TC_050_1_CS Reservation of a Charge Point - Faulted
    Given the charger's configuration key ReserveConnectorZeroSupported is "true"
    When the EV plugs in
    And the EV has a CP–PE short
    Then the charger reports Faulted within 5 s
    When the CSMS sends ReserveNow:
      """
      {"connectorId": 0, "expiryDate": "${now+300s}", "idTag": "04A2B3C4", "reservationId": 22}
      """
    Then the charger responds with status Faulted

  @TC_050_2_CS
  Scenario: TC_050_2_CS Reservation of a Charge Point - Occupied
    Given the charger's configuration key ReserveConnectorZeroSupported is "true"
    When the EV plugs in
    Then the charger reports Preparing within 5 s
    When the CSMS sends ReserveNow:
      """
      {"connectorId": 0, "expiryDate": "${now+300s}", "idTag": "04A2B3C4", "reservationId": 23}
      """
    Then the charger responds with status Occupied

  @TC_050_3_CS
  Scenario: TC_050_3_CS Reservation of a Charge Point - Unavailable
    Given the charger's configuration key ReserveConnectorZeroSupported is "true"
    When the CSMS sends ChangeAvailability:
      """
      {"connectorId": 0, "type": "Inoperative"}
      """
    Then the charger responds with status Accepted
    And the charger reports Unavailable within 5 s
    When the CSMS sends ReserveNow:
      """
      {"connectorId": 0, "expiryDate": "${now+300s}", "idTag": "04A2B3C4", "reservationId": 24}
      """
    Then the charger responds with status Unavailable

  @TC_050_4_CS @requires.dut.lacks-reservation
  Scenario: TC_050_4_CS Reservation of a Charge Point - Rejected
    When the CSMS sends ReserveNow:
      """
      {"connectorId": 0, "expiryDate": "${now+300s}", "idTag": "04A2B3C4", "reservationId": 25}
      """
    Then the charger responds with status Rejected

  @TC_051_CS
  Scenario: TC_051_CS Cancel Reservation
    Given the CSMS answers Authorize for "04B5C6D7" with Accepted
    When the CSMS sends ReserveNow:
      """
      {"connectorId": 1, "expiryDate": "${now+300s}", "idTag": "04A2B3C4", "reservationId": 31}
      """
    Then the charger responds with status Accepted
    And the charger reports Reserved within 5 s
    When the CSMS sends CancelReservation:
      """
      {"reservationId": 31}
      """
    Then the charger responds with status Accepted
    And the charger reports Available within 5 s
    When the EV plugs in
    And the CSMS sends RemoteStartTransaction:
      """
      {"connectorId": 1, "idTag": "04B5C6D7"}
      """
    Then the charger responds with status Accepted
    When the EV goes to state C
    Then the charger starts a transaction and reports Charging within 10 s:
      """
      {"idTag": "04B5C6D7", "reservationId": null}
      """

  @TC_052_CS
  Scenario: TC_052_CS Cancel Reservation - Rejected
    When the CSMS sends CancelReservation:
      """
      {"reservationId": 9999}
      """
    Then the charger responds with status Rejected

  @TC_053_CS @requires.rfid
  Scenario: TC_053_CS Use a reserved Connector with parentIdTag
    Given the CSMS answers Authorize for "04B5C6D7" with Accepted and parent "FLEET-01"
    When the CSMS sends ReserveNow:
      """
      {"connectorId": 1, "expiryDate": "${now+300s}", "idTag": "04A2B3C4",
       "parentIdTag": "FLEET-01", "reservationId": 41}
      """
    Then the charger responds with status Accepted
    And the charger reports Reserved within 5 s
    When the driver presents the card "04B5C6D7"
    Then the CSMS receives Authorize within 5 s:
      """
      {"idTag": "04B5C6D7"}
      """
    And the charger reports Preparing within 5 s
    When the EV plugs in
    And the EV goes to state C
    Then the charger starts a transaction and reports Charging within 10 s:
      """
      {"idTag": "04B5C6D7", "reservationId": 41}
      """
