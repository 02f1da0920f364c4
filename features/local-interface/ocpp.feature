@local-interface @requires.local-interface
Feature: Local interface - OCPP tab
  The installer sets the CSMS URL (ws:// or wss:// only) and the charge point identity. The unit
  stores them, restarts within 10 s and connects to the new CSMS. Another scheme is refused with
  the reason and changes nothing.

  Background:
    Given the charger is idle
    And the installer logs in with the PIN

  @ui.ocpp
  Scenario: The unit leaves a CSMS it cannot reach and connects to the rig's CSMS when set
    When the installer sets the CSMS URL to "ws://127.0.0.1:9/ocpp"
    Then the interface accepts
    And the Status tab shows the OCPP connection connecting or disconnected within 15 s
    When the installer sets the CSMS URL to the rig's CSMS
    Then the CSMS receives BootNotification within 20 s
    And the OCPP tab shows the rig's CSMS
    And the Status tab shows the OCPP connection connected within 10 s

  @ui.ocpp @ui.invalid
  Scenario Outline: A CSMS URL the unit cannot use is refused with the reason, nothing changed
    When the installer tries to set the CSMS URL to "<url>"
    Then the interface refuses with 422 "<reason>"
    And nothing was changed

    Examples:
      | url                          | reason                                |
      | http://csms.example/ocpp     | is not allowed: use ws:// or wss://   |
      | https://csms.example/ocpp    | is not allowed: use ws:// or wss://   |
      | ftp://csms.example/ocpp      | use ws:// or wss://                   |
      | ws://                        | host                                  |
      | ws://csms example/ocpp       | space                                 |

  @ui.ocpp @ui.invalid
  Scenario Outline: An identity or key the unit cannot use is refused with the reason, nothing changed
    When the installer tries to set the <what> to "<value>"
    Then the interface refuses with 422 "<reason>"
    And nothing was changed

    Examples:
      | what                  | value                | reason                              |
      | charge point identity | HALO 1               | charge point identity contains ' '  |
      | charge point identity |                      | must be 1 to 48 characters, got 0   |
      | authorization key     | short                | must be 16 to 40 printable ASCII    |
      | authorization key     | has a space in it ok | without spaces                      |
