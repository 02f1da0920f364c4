@ocpp16.firmware-management @requires.file-server
Feature: OCPP 1.6 Firmware Management
  Firmware updates and diagnostics uploads through the CSMS plugin's file server. The file
  server serves `firmware/good.bin` (an image the DUT accepts) and `firmware/corrupt.bin` (one
  it must refuse), and accepts uploads under `upload/`.

  Background:
    Given the charger is idle

  @TC_044_1_CS
  Scenario: TC_044_1_CS Firmware Update - Download and Install
    When the CSMS sends UpdateFirmware:
      """
      {"location": "${fileServer}/firmware/good.bin", "retrieveDate": "${now}", "retries": 1}
      """
    Then the charger responds with:
      """
      {}
      """
    And the CSMS receives FirmwareStatusNotification within 60 s:
      """
      {"status": "Downloading"}
      """
    And the CSMS receives FirmwareStatusNotification within 60 s:
      """
      {"status": "Downloaded"}
      """
    And the CSMS receives FirmwareStatusNotification within 60 s:
      """
      {"status": "Installing"}
      """
    And the CSMS receives BootNotification within 120 s
    And the CSMS receives FirmwareStatusNotification within 60 s:
      """
      {"status": "Installed"}
      """
    And the charger reports Available within 30 s

  @TC_044_2_CS
  Scenario: TC_044_2_CS Firmware Update - Download Failed
    When the CSMS sends UpdateFirmware:
      """
      {"location": "${fileServer}/firmware/does-not-exist.bin", "retrieveDate": "${now}", "retries": 0}
      """
    Then the charger responds with:
      """
      {}
      """
    And the CSMS receives FirmwareStatusNotification within 60 s:
      """
      {"status": "DownloadFailed"}
      """

  @TC_044_3_CS
  Scenario: TC_044_3_CS Firmware Update - Installation Failed
    When the CSMS sends UpdateFirmware:
      """
      {"location": "${fileServer}/firmware/corrupt.bin", "retrieveDate": "${now}", "retries": 0}
      """
    Then the charger responds with:
      """
      {}
      """
    And the CSMS receives FirmwareStatusNotification within 60 s:
      """
      {"status": "Downloading"}
      """
    And the CSMS receives FirmwareStatusNotification within 60 s:
      """
      {"status": "Downloaded"}
      """
    And the CSMS receives FirmwareStatusNotification within 60 s:
      """
      {"status": "InstallationFailed"}
      """
    # Nothing was installed and the charger stays in service: asked for its status, the
    # connector is Available (it never left Available, so no StatusNotification came by itself).
    When the CSMS sends TriggerMessage:
      """
      {"requestedMessage": "StatusNotification", "connectorId": 1}
      """
    Then the charger responds with status Accepted
    And the charger reports Available within 10 s

  @TC_045_1_CS
  Scenario: TC_045_1_CS Get Diagnostics
    When the CSMS sends GetDiagnostics:
      """
      {"location": "${fileServer}/upload/"}
      """
    Then the charger responds with:
      """
      {}
      """
    And the CSMS receives DiagnosticsStatusNotification within 60 s:
      """
      {"status": "Uploading"}
      """
    And the CSMS receives DiagnosticsStatusNotification within 60 s:
      """
      {"status": "Uploaded"}
      """
    And the file server receives an upload within 60 s

  @TC_045_2_CS
  Scenario: TC_045_2_CS Get Diagnostics - Upload Failed
    When the CSMS sends GetDiagnostics:
      """
      {"location": "http://127.0.0.1:9/unreachable/", "retries": 0}
      """
    Then the charger responds with:
      """
      {}
      """
    And the CSMS receives DiagnosticsStatusNotification within 60 s:
      """
      {"status": "Uploading"}
      """
    And the CSMS receives DiagnosticsStatusNotification within 60 s:
      """
      {"status": "UploadFailed"}
      """
