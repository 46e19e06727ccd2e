#pragma once
// AudioSettingsDialog: where a call's audio comes from and goes to — sound card devices, or a WAV
// file, a tone or silence when there is no card — and the codecs in preference order, with a
// microphone meter and a speaker test; kept in QSettings as a phone::CallSettings.

#include "audio_check.h"

#include "media/audio_devices.h"
#include "phone/call_settings.h"

#include <QDialog>

#include <expected>

class QButtonGroup;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QThread;

namespace ds::ui {

using AudioDeviceList = std::expected<QList<ds::media::AudioDevice>, QString>;

class AudioSettingsDialog final : public QDialog {
    Q_OBJECT
public:
    enum class Source { Microphone, File, Tone, Silence };
    enum class Sink { Speaker, File, Nowhere };

    // devices: what listAudioDevices() found (an error, or no device, offers files and tones only and
    // says why with describeAudioAvailability()).
    AudioSettingsDialog(const ds::phone::CallSettings &current, const AudioDeviceList &devices, QWidget *parent = nullptr);
    ~AudioSettingsDialog() override;

    // The settings as chosen; the fields the dialog does not show are those given to the constructor.
    ds::phone::CallSettings callSettings() const;
    // The sentence on sound card availability shown at the top.
    QString availability() const;

    // QSettings group "audio" of settingsFile (empty: the application's QSettings). Device choices are
    // kept by name and found again among devices; without saved settings load() returns defaults.
    static ds::phone::CallSettings load(const QString &settingsFile, const ds::phone::CallSettings &defaults, const AudioDeviceList &devices);
    static void save(const QString &settingsFile, const ds::phone::CallSettings &settings, const AudioDeviceList &devices);

private:
    void buildDevices();
    void setFrom(const ds::phone::CallSettings &s);
    void moveCodec(int delta);
    void browse(QLineEdit *field, bool save);
    void validate();
    void toggleMicrophoneTest(bool on);
    void testSpeaker();
    void startCheck(AudioCheck::Mode mode, int device);
    void stopCheck();

    ds::phone::CallSettings m_base;
    AudioDeviceList m_devices;
    bool m_hasInput = false;
    bool m_hasOutput = false;

    QLabel *m_availability;
    QComboBox *m_input;
    QComboBox *m_output;
    QProgressBar *m_level;
    QPushButton *m_micTest;
    QPushButton *m_speakerTest;
    QLabel *m_checkStatus;
    QButtonGroup *m_source;
    QRadioButton *m_sourceButtons[4];
    QLineEdit *m_playFile;
    QSpinBox *m_toneHz;
    QButtonGroup *m_sink;
    QRadioButton *m_sinkButtons[3];
    QLineEdit *m_recordFile;
    QListWidget *m_codecs;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;

    QThread *m_checkThread = nullptr;
    AudioCheck *m_check = nullptr;
};

} // namespace ds::ui
