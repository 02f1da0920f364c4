@local-interface @requires.local-interface
Feature: Local interface - security rules
  Only the unit's PIN logs in; 5 wrong PINs lock the interface for 5 minutes (the right PIN too).
  Every change needs the session cookie and its anti-forgery token, comes from the unit's own
  pages, is JSON and within the size limit. Sessions expire when idle. Paths that climb out of
  the interface are refused before routing. Each refusal changes nothing.

  Background:
    Given the charger is idle

  @ui.security @ui.login
  Scenario: A wrong PIN is refused and says how many tries are left
    When the installer logs in with a wrong PIN
    Then the interface refuses with 401 "4 more wrong PIN(s) lock the interface"

  @ui.security @ui.lockout
  Scenario: Five wrong PINs lock the interface, the right PIN too
    When the installer logs in with a wrong PIN 5 times
    Then the interface refuses with 429 "too many wrong PINs"
    When the installer tries to log in with the PIN
    Then the interface refuses with 429 "locked"

  @ui.security @ui.csrf
  Scenario Outline: A change without the session's anti-forgery token or session is refused
    Given the installer logs in with the PIN
    When a request to set the maximum current to 10 A arrives <how>
    Then the interface refuses with <status> "<reason>"
    And nothing was changed

    Examples:
      | how                                 | status | reason                          |
      | without the anti-forgery token      | 403    | anti-forgery token missing      |
      | with a forged anti-forgery token    | 403    | does not match                  |
      | without the session cookie          | 401    | not logged in                   |
      | from another site                   | 403    |                                 |
      | as a form                           | 415    | application/json                |
      | with a body of 32 KiB               | 413    |                                 |

  @ui.security @ui.session @requires.power-cycle
  Scenario: An expired session is refused
    Given the unit's sessions expire after 2 s idle
    And the installer logs in with the PIN
    When 3 s pass
    And the installer tries to set the maximum current to 10 A
    Then the interface refuses with 401 "session expired"
    And nothing was changed

  @ui.security @ui.traversal
  Scenario Outline: A path that climbs out of the interface is refused
    Given the installer logs in with the PIN
    When a request for "<path>" arrives
    Then the interface refuses with 400

    Examples:
      | path                          |
      | /api/../etc/passwd            |
      | /api/%2e%2e/%2e%2e/etc/passwd |
      | /status/..%2f..%2fetc/passwd  |
      | /%2e%2e/api/status            |
