@ocpp16.security
Feature: OCPP 1.6 Security (security whitepaper edition 2)
  Basic authentication, TLS, security profiles, certificates, the security log and signed
  firmware. The test certificates below are self-signed P-256 certificates made for this suite:
  a valid root (until 2036) and an expired one (2020-2021).

  Background:
    Given the charger is idle

  @TC_073_CS
  Scenario: TC_073_CS Update Charge Point Password for HTTP Basic Authentication
    When the CSMS sends ChangeConfiguration:
      """
      {"key": "AuthorizationKey", "value": "0123456789ABCDEF0123456789ABCDEF01234567"}
      """
    Then the charger responds with status Accepted
    And the charger connects with the authorization key "0123456789ABCDEF0123456789ABCDEF01234567" within 60 s

  @TC_074_CS @requires.tls @requires.dut.certificate-management
  Scenario: TC_074_CS Update Charge Point Certificate by request of Central System
    Given the charger is configured with CpoName "Conformance Harness"
    When the CSMS sends ExtendedTriggerMessage:
      """
      {"requestedMessage": "SignChargePointCertificate"}
      """
    Then the charger responds with status Accepted
    And the CSMS receives SignCertificate within 30 s
    # The signed certificate goes back with CertificateSigned; the CSMS plugin's CA signs the CSR.
    When the CSMS sends CertificateSigned:
      """
      {"certificateChain": "${signedCertificate}"}
      """
    Then the charger responds with status Accepted
    And the charger reconnects within 60 s

  @TC_075_1_CS @requires.tls @requires.dut.certificate-management
  Scenario: TC_075_1_CS Install a certificate on the Charge Point - ManufacturerRootCertificate
    When the CSMS sends InstallCertificate:
      """
      {"certificateType": "ManufacturerRootCertificate", "certificate": "-----BEGIN CERTIFICATE-----\nMIIByTCCAW+gAwIBAgIUXv5EDV31klal4dpPHr1JC274ZBIwCgYIKoZIzj0EAwIw\nOjEcMBoGA1UECgwTQ29uZm9ybWFuY2UgSGFybmVzczEaMBgGA1UEAwwRSGFybmVz\ncyBUZXN0IFJvb3QwHhcNMjYxMTI4MTYyMjIyWhcNMzYxMTI1MTYyMjIyWjA6MRww\nGgYDVQQKDBNDb25mb3JtYW5jZSBIYXJuZXNzMRowGAYDVQQDDBFIYXJuZXNzIFRl\nc3QgUm9vdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABPKJLcLivxET9721nR/F\nZ+q7A6xCUuQ3C9jtvxpCeDtatR+eUn12MHNdAWA7v/KfsYOGVDQbY4m/vJH/WmP5\nUgujUzBRMB0GA1UdDgQWBBQtrS707fK8UAX5sHL5jR5CrTJ7YjAfBgNVHSMEGDAW\ngBQtrS707fK8UAX5sHL5jR5CrTJ7YjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49\nBAMCA0gAMEUCIQDN8J5kdOufD+yWha+z5H45mi9poqvbjUM/KuDzufi3JwIgAfQX\ni3V4+kKRf0oHK5E7dPY7Czuhio1zFmCbSMI1kdA=\n-----END CERTIFICATE-----\n"}
      """
    Then the charger responds with status Accepted
    When the CSMS sends GetInstalledCertificateIds:
      """
      {"certificateType": "ManufacturerRootCertificate"}
      """
    Then the charger responds with status Accepted

  @TC_075_2_CS @requires.tls @requires.dut.certificate-management
  Scenario: TC_075_2_CS Install a certificate on the Charge Point - CentralSystemRootCertificate
    When the CSMS sends InstallCertificate:
      """
      {"certificateType": "CentralSystemRootCertificate", "certificate": "-----BEGIN CERTIFICATE-----\nMIIByTCCAW+gAwIBAgIUXv5EDV31klal4dpPHr1JC274ZBIwCgYIKoZIzj0EAwIw\nOjEcMBoGA1UECgwTQ29uZm9ybWFuY2UgSGFybmVzczEaMBgGA1UEAwwRSGFybmVz\ncyBUZXN0IFJvb3QwHhcNMjYxMTI4MTYyMjIyWhcNMzYxMTI1MTYyMjIyWjA6MRww\nGgYDVQQKDBNDb25mb3JtYW5jZSBIYXJuZXNzMRowGAYDVQQDDBFIYXJuZXNzIFRl\nc3QgUm9vdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABPKJLcLivxET9721nR/F\nZ+q7A6xCUuQ3C9jtvxpCeDtatR+eUn12MHNdAWA7v/KfsYOGVDQbY4m/vJH/WmP5\nUgujUzBRMB0GA1UdDgQWBBQtrS707fK8UAX5sHL5jR5CrTJ7YjAfBgNVHSMEGDAW\ngBQtrS707fK8UAX5sHL5jR5CrTJ7YjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49\nBAMCA0gAMEUCIQDN8J5kdOufD+yWha+z5H45mi9poqvbjUM/KuDzufi3JwIgAfQX\ni3V4+kKRf0oHK5E7dPY7Czuhio1zFmCbSMI1kdA=\n-----END CERTIFICATE-----\n"}
      """
    Then the charger responds with status Accepted
    When the CSMS sends GetInstalledCertificateIds:
      """
      {"certificateType": "CentralSystemRootCertificate"}
      """
    Then the charger responds with status Accepted

  @TC_076_CS @requires.tls @requires.dut.certificate-management
  Scenario: TC_076_CS Delete a specific certificate from the Charge Point
    When the CSMS sends InstallCertificate:
      """
      {"certificateType": "ManufacturerRootCertificate", "certificate": "-----BEGIN CERTIFICATE-----\nMIIByTCCAW+gAwIBAgIUXv5EDV31klal4dpPHr1JC274ZBIwCgYIKoZIzj0EAwIw\nOjEcMBoGA1UECgwTQ29uZm9ybWFuY2UgSGFybmVzczEaMBgGA1UEAwwRSGFybmVz\ncyBUZXN0IFJvb3QwHhcNMjYxMTI4MTYyMjIyWhcNMzYxMTI1MTYyMjIyWjA6MRww\nGgYDVQQKDBNDb25mb3JtYW5jZSBIYXJuZXNzMRowGAYDVQQDDBFIYXJuZXNzIFRl\nc3QgUm9vdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABPKJLcLivxET9721nR/F\nZ+q7A6xCUuQ3C9jtvxpCeDtatR+eUn12MHNdAWA7v/KfsYOGVDQbY4m/vJH/WmP5\nUgujUzBRMB0GA1UdDgQWBBQtrS707fK8UAX5sHL5jR5CrTJ7YjAfBgNVHSMEGDAW\ngBQtrS707fK8UAX5sHL5jR5CrTJ7YjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49\nBAMCA0gAMEUCIQDN8J5kdOufD+yWha+z5H45mi9poqvbjUM/KuDzufi3JwIgAfQX\ni3V4+kKRf0oHK5E7dPY7Czuhio1zFmCbSMI1kdA=\n-----END CERTIFICATE-----\n"}
      """
    Then the charger responds with status Accepted
    When the CSMS sends GetInstalledCertificateIds:
      """
      {"certificateType": "ManufacturerRootCertificate"}
      """
    Then the charger responds with status Accepted
    When the CSMS sends DeleteCertificate:
      """
      {"certificateHashData": ${response.certificateHashData[0]}}
      """
    Then the charger responds with status Accepted
    When the CSMS sends GetInstalledCertificateIds:
      """
      {"certificateType": "ManufacturerRootCertificate"}
      """
    Then the charger responds with status NotFound

  @TC_077_CS @requires.tls @requires.dut.certificate-management
  Scenario: TC_077_CS Invalid ChargePointCertificate Security Event
    When the CSMS sends CertificateSigned:
      """
      {"certificateChain": "-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"}
      """
    Then the charger responds with status Rejected
    And the CSMS receives SecurityEventNotification within 10 s:
      """
      {"type": "InvalidChargePointCertificate"}
      """

  @TC_078_CS @requires.tls @requires.dut.certificate-management
  Scenario: TC_078_CS Invalid CentralSystemCertificate Security Event
    When the CSMS sends InstallCertificate:
      """
      {"certificateType": "CentralSystemRootCertificate", "certificate": "-----BEGIN CERTIFICATE-----\nMIIBcjCCARcCAhAAMAoGCCqGSM49BAMCMEQxHDAaBgNVBAoME0NvbmZvcm1hbmNl\nIEhhcm5lc3MxJDAiBgNVBAMMG0V4cGlyZWQgQ2VudHJhbCBTeXN0ZW0gUm9vdDAe\nFw0yMDAxMDEwMDAwMDBaFw0yMTAxMDEwMDAwMDBaMEQxHDAaBgNVBAoME0NvbmZv\ncm1hbmNlIEhhcm5lc3MxJDAiBgNVBAMMG0V4cGlyZWQgQ2VudHJhbCBTeXN0ZW0g\nUm9vdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABE1ECmpjgdL1NrVPrZ0wpAID\nQBRXYUrWf3Xfub7zaT01382fVgszKUdeVts3vn9dOKYp9q/AqbTGYPjaCrDpSgUw\nCgYIKoZIzj0EAwIDSQAwRgIhAJb9wtBAggjDncHk5QbhY6TrzSdt+TigcClaWGXR\nRF2DAiEAxhtAJ79ccjajmQ2fb/Zc83DxJTIxLvHBLKwceg8GmSM=\n-----END CERTIFICATE-----\n"}
      """
    Then the charger responds with status Rejected
    And the CSMS receives SecurityEventNotification within 10 s:
      """
      {"type": "InvalidCentralSystemCertificate"}
      """

  @TC_079_CS @requires.file-server
  Scenario: TC_079_CS Get Security Log
    When the CSMS sends GetLog:
      """
      {"logType": "SecurityLog", "requestId": 7, "log": {"remoteLocation": "${fileServer}/upload/"}}
      """
    Then the charger responds with status Accepted
    And the CSMS receives LogStatusNotification within 30 s:
      """
      {"status": "Uploading", "requestId": 7}
      """
    And the CSMS receives LogStatusNotification within 60 s:
      """
      {"status": "Uploaded", "requestId": 7}
      """
    And the file server receives an upload within 60 s

  @TC_080_CS @requires.file-server @requires.dut.signed-firmware
  Scenario: TC_080_CS Secure Firmware Update
    When the CSMS sends SignedUpdateFirmware:
      """
      {"requestId": 8, "retries": 0, "firmware": {"location": "${fileServer}/firmware/good-signed.bin",
        "retrieveDateTime": "${now}", "signingCertificate": "-----BEGIN CERTIFICATE-----\nMIIByTCCAW+gAwIBAgIUXv5EDV31klal4dpPHr1JC274ZBIwCgYIKoZIzj0EAwIw\nOjEcMBoGA1UECgwTQ29uZm9ybWFuY2UgSGFybmVzczEaMBgGA1UEAwwRSGFybmVz\ncyBUZXN0IFJvb3QwHhcNMjYxMTI4MTYyMjIyWhcNMzYxMTI1MTYyMjIyWjA6MRww\nGgYDVQQKDBNDb25mb3JtYW5jZSBIYXJuZXNzMRowGAYDVQQDDBFIYXJuZXNzIFRl\nc3QgUm9vdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABPKJLcLivxET9721nR/F\nZ+q7A6xCUuQ3C9jtvxpCeDtatR+eUn12MHNdAWA7v/KfsYOGVDQbY4m/vJH/WmP5\nUgujUzBRMB0GA1UdDgQWBBQtrS707fK8UAX5sHL5jR5CrTJ7YjAfBgNVHSMEGDAW\ngBQtrS707fK8UAX5sHL5jR5CrTJ7YjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49\nBAMCA0gAMEUCIQDN8J5kdOufD+yWha+z5H45mi9poqvbjUM/KuDzufi3JwIgAfQX\ni3V4+kKRf0oHK5E7dPY7Czuhio1zFmCbSMI1kdA=\n-----END CERTIFICATE-----\n", "signature": "${test_data.firmware_signature}"}}
      """
    Then the charger responds with status Accepted
    And the CSMS receives SignedFirmwareStatusNotification within 60 s:
      """
      {"status": "Downloading", "requestId": 8}
      """
    And the CSMS receives SignedFirmwareStatusNotification within 60 s:
      """
      {"status": "Downloaded", "requestId": 8}
      """
    And the CSMS receives SignedFirmwareStatusNotification within 60 s:
      """
      {"status": "SignatureVerified", "requestId": 8}
      """
    And the CSMS receives SignedFirmwareStatusNotification within 60 s:
      """
      {"status": "Installing", "requestId": 8}
      """
    And the CSMS receives BootNotification within 120 s
    And the CSMS receives SignedFirmwareStatusNotification within 60 s:
      """
      {"status": "Installed", "requestId": 8}
      """

  @TC_081_CS @requires.file-server @requires.dut.signed-firmware
  Scenario: TC_081_CS Secure Firmware Update - Invalid Signature
    When the CSMS sends SignedUpdateFirmware:
      """
      {"requestId": 9, "retries": 0, "firmware": {"location": "${fileServer}/firmware/good-signed.bin",
        "retrieveDateTime": "${now}", "signingCertificate": "-----BEGIN CERTIFICATE-----\nMIIByTCCAW+gAwIBAgIUXv5EDV31klal4dpPHr1JC274ZBIwCgYIKoZIzj0EAwIw\nOjEcMBoGA1UECgwTQ29uZm9ybWFuY2UgSGFybmVzczEaMBgGA1UEAwwRSGFybmVz\ncyBUZXN0IFJvb3QwHhcNMjYxMTI4MTYyMjIyWhcNMzYxMTI1MTYyMjIyWjA6MRww\nGgYDVQQKDBNDb25mb3JtYW5jZSBIYXJuZXNzMRowGAYDVQQDDBFIYXJuZXNzIFRl\nc3QgUm9vdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABPKJLcLivxET9721nR/F\nZ+q7A6xCUuQ3C9jtvxpCeDtatR+eUn12MHNdAWA7v/KfsYOGVDQbY4m/vJH/WmP5\nUgujUzBRMB0GA1UdDgQWBBQtrS707fK8UAX5sHL5jR5CrTJ7YjAfBgNVHSMEGDAW\ngBQtrS707fK8UAX5sHL5jR5CrTJ7YjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49\nBAMCA0gAMEUCIQDN8J5kdOufD+yWha+z5H45mi9poqvbjUM/KuDzufi3JwIgAfQX\ni3V4+kKRf0oHK5E7dPY7Czuhio1zFmCbSMI1kdA=\n-----END CERTIFICATE-----\n", "signature": "AAAA"}}
      """
    Then the charger responds with status Accepted
    And the CSMS receives SignedFirmwareStatusNotification within 60 s:
      """
      {"status": "Downloading", "requestId": 9}
      """
    And the CSMS receives SignedFirmwareStatusNotification within 60 s:
      """
      {"status": "Downloaded", "requestId": 9}
      """
    And the CSMS receives SignedFirmwareStatusNotification within 60 s:
      """
      {"status": "InvalidSignature", "requestId": 9}
      """
    And the CSMS receives SecurityEventNotification within 30 s:
      """
      {"type": "InvalidFirmwareSignature"}
      """

  # The case starts at profile 1 and ends at 2: the rig's CSMS must serve both (no emulated rig
  # does: rigs/emulated.toml serves profile 1 only, rigs/emulated-tls.toml profile 2 only).
  @TC_083_CS @requires.tls @requires.security-profile-upgrade
  Scenario: TC_083_CS Upgrade security profile
    When the CSMS sends ChangeConfiguration:
      """
      {"key": "SecurityProfile", "value": "2"}
      """
    Then the charger responds with status Accepted or RebootRequired
    And the charger connects with security profile 2 within 60 s
    And the CSMS receives BootNotification within 60 s

  @TC_084_CS
  Scenario: TC_084_CS Downgrade security profile - Rejected
    When the CSMS sends ChangeConfiguration:
      """
      {"key": "SecurityProfile", "value": "0"}
      """
    Then the charger responds with status Rejected
    And the charger connects with the rig's security profile within 5 s

  @TC_085_CS
  Scenario: TC_085_CS Basic Authentication - Valid username/password combination
    When the CSMS sends ChangeConfiguration:
      """
      {"key": "AuthorizationKey", "value": "HarnessBasicKey-0001"}
      """
    Then the charger responds with status Accepted
    And the charger connects with the authorization key "HarnessBasicKey-0001" within 60 s
    When the CSMS sends Reset:
      """
      {"type": "Hard"}
      """
    Then the charger responds with status Accepted
    And the charger connects with the authorization key "HarnessBasicKey-0001" within 60 s
    And the CSMS receives BootNotification within 60 s

  @TC_086_CS @requires.tls
  Scenario: TC_086_CS TLS - server-side certificate - Valid certificate
    # Precondition of the case: the charger uses profile 2. A rig whose charger starts at
    # profile 1 raises it over OCPP (Accepted); one that starts at 2 refuses the same value
    # (the profile is only ever raised).
    When the CSMS sends ChangeConfiguration:
      """
      {"key": "SecurityProfile", "value": "2"}
      """
    Then the charger responds with status Accepted or Rejected
    And the charger connects with security profile 2 within 30 s
    When the CSMS sends TriggerMessage:
      """
      {"requestedMessage": "StatusNotification", "connectorId": 1}
      """
    Then the charger responds with status Accepted
    And the CSMS receives StatusNotification within 5 s

  @TC_087_CS @requires.tls @requires.dut.security-profile-3
  Scenario: TC_087_CS TLS - Client-side certificate - valid certificate
    Then the charger connects with security profile 3 within 30 s
    When the CSMS sends TriggerMessage:
      """
      {"requestedMessage": "StatusNotification", "connectorId": 1}
      """
    Then the charger responds with status Accepted
    And the CSMS receives StatusNotification within 5 s
