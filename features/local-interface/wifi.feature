@local-interface @requires.local-interface
Feature: Local interface - Wi-Fi tab
  The unit joins a Wi-Fi network with WPA2-AES (recommended) or WPA-TKIP (accepted with a
  warning). WPA3 is refused with a message that says what to set on the router; a network name
  or passphrase out of range is refused with the reason. The passphrase is never shown.

  Background:
    Given the charger is idle
    And the installer logs in with the PIN

  @ui.wifi
  Scenario: Joining a WPA2-AES network
    When the installer joins the Wi-Fi network "Garage" with WPA2-AES
    Then the interface accepts
    And the Wi-Fi tab shows the network "Garage" with WPA2-AES

  @ui.wifi
  Scenario: A WPA-TKIP network is accepted with a warning
    When the installer joins the Wi-Fi network "OldRouter" with WPA-TKIP
    Then the interface accepts with the warning "not recommended"
    And the Wi-Fi tab shows the network "OldRouter" with WPA-TKIP

  @ui.wifi @ui.invalid
  Scenario Outline: An unusable network is refused with the reason, nothing changed
    Given the installer joins the Wi-Fi network "Garage" with WPA2-AES
    When the installer tries to join the Wi-Fi network "<ssid>" with <security> and the passphrase "<passphrase>"
    Then the interface refuses with 422 "<reason>"
    And nothing was changed

    Examples:
      | ssid                              | security | passphrase            | reason                              |
      | Neighbour                         | WPA3-SAE | correct-horse-battery | WPA3 is not supported by this unit  |
      | Neighbour                         | WEP      | correct-horse-battery | security                            |
      | Neighbour                         | WPA2-AES | short                 | passphrase                          |
      | a-network-name-of-more-than-32-bytes | WPA2-AES | correct-horse-battery | SSID                          |
