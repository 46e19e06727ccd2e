#include "audio_settings_dialog.h"

#include "theme.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSpinBox>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

namespace ds::ui {

using media::AudioDirection;
using media::PortAudioPort;

namespace {

const QStringList kCodecs {QStringLiteral("PCMU"), QStringLiteral("PCMA"), QStringLiteral("opus")};
const QStringList kSourceNames {QStringLiteral("microphone"), QStringLiteral("file"), QStringLiteral("tone"), QStringLiteral("silence")};
const QStringList kSinkNames {QStringLiteral("speaker"), QStringLiteral("file"), QStringLiteral("none")};
constexpr int kMeterFloorDb = 60; // the meter shows -60..0 dBFS

bool hasChannels(const media::AudioDevice &d, AudioDirection dir) { return (dir == AudioDirection::Input ? d.maxInputChannels : d.maxOutputChannels) > 0; }

bool anyDevice(const AudioDeviceList &devices, AudioDirection dir)
{
    return devices && std::any_of(devices->begin(), devices->end(), [dir](const media::AudioDevice &d) { return hasChannels(d, dir); });
}

QString deviceName(const AudioDeviceList &devices, int index)
{
    if (devices && index >= 0)
        for (const media::AudioDevice &d : *devices)
            if (d.index == index)
                return d.name;
    return {};
}

int deviceIndex(const AudioDeviceList &devices, const QString &name, AudioDirection dir)
{
    if (devices && !name.isEmpty())
        for (const media::AudioDevice &d : *devices)
            if (d.name == name && hasChannels(d, dir))
                return d.index;
    return -1;
}

std::unique_ptr<QSettings> openSettings(const QString &file)
{
    return file.isEmpty() ? std::make_unique<QSettings>() : std::make_unique<QSettings>(file, QSettings::IniFormat);
}

AudioSettingsDialog::Source sourceOf(const phone::AudioSettings &a)
{
    using S = AudioSettingsDialog::Source;
    return !a.playFile.isEmpty() ? S::File : a.toneHz > 0 ? S::Tone : a.soundCard ? S::Microphone : S::Silence;
}

AudioSettingsDialog::Sink sinkOf(const phone::AudioSettings &a)
{
    using S = AudioSettingsDialog::Sink;
    return !a.recordFile.isEmpty() ? S::File : a.soundCard ? S::Speaker : S::Nowhere;
}

} // namespace

// ---- AudioSettingsDialog -----------------------------------------------------

AudioSettingsDialog::AudioSettingsDialog(const phone::CallSettings &current, const AudioDeviceList &devices, QWidget *parent)
    : QDialog(parent)
    , m_base(current)
    , m_devices(devices)
    , m_hasInput(anyDevice(devices, AudioDirection::Input))
    , m_hasOutput(anyDevice(devices, AudioDirection::Output))
{
    setObjectName(QStringLiteral("audioSettingsDialog"));
    setWindowTitle(tr("Audio settings"));

    m_availability = new QLabel(media::describeAudioAvailability(devices), this);
    m_availability->setObjectName(QStringLiteral("audioAvailability"));
    m_availability->setWordWrap(true);
    if (!m_hasInput || !m_hasOutput) {
        m_availability->setMargin(6);
        setWarningBanner(m_availability);
    }

    // The sound card.
    auto *card = new QGroupBox(m_hasInput || m_hasOutput ? tr("Sound card") : tr("Sound card (none found)"), this);
    m_input = new QComboBox(card);
    m_input->setObjectName(QStringLiteral("inputDevice"));
    m_output = new QComboBox(card);
    m_output->setObjectName(QStringLiteral("outputDevice"));
    m_level = new QProgressBar(card);
    m_level->setObjectName(QStringLiteral("micLevel"));
    m_level->setRange(0, kMeterFloorDb);
    m_level->setValue(0);
    m_level->setFormat(tr("silent"));
    m_micTest = new QPushButton(tr("Test &microphone"), card);
    m_micTest->setObjectName(QStringLiteral("micTest"));
    m_micTest->setCheckable(true);
    m_speakerTest = new QPushButton(tr("Play &test tone"), card);
    m_speakerTest->setObjectName(QStringLiteral("speakerTest"));
    m_checkStatus = new QLabel(card);
    m_checkStatus->setObjectName(QStringLiteral("checkStatus"));
    m_checkStatus->setWordWrap(true);
    buildDevices();
    auto *meter = new QHBoxLayout;
    meter->addWidget(m_level, 1);
    meter->addWidget(m_micTest);
    auto *cardForm = new QFormLayout(card);
    cardForm->addRow(tr("&Input:"), m_input);
    cardForm->addRow(tr("&Output:"), m_output);
    cardForm->addRow(tr("Microphone level:"), meter);
    cardForm->addRow(tr("Speaker:"), m_speakerTest);
    cardForm->addRow(m_checkStatus);

    // What goes out, and where what comes in goes.
    const auto radio = [](const char *name, const QString &text, QWidget *parent) {
        auto *r = new QRadioButton(text, parent);
        r->setObjectName(QLatin1String(name));
        return r;
    };
    const auto fileRow = [this](QLineEdit *&field, const char *name, bool save, QWidget *parent) {
        field = new QLineEdit(parent);
        field->setObjectName(QLatin1String(name));
        field->setPlaceholderText(tr("path of a WAV file"));
        field->setClearButtonEnabled(true);
        auto *browseButton = new QToolButton(parent);
        browseButton->setObjectName(QLatin1String(name) + QStringLiteral("Browse"));
        browseButton->setText(tr("…"));
        browseButton->setToolTip(save ? tr("Choose where to record") : tr("Choose a WAV file"));
        connect(browseButton, &QToolButton::clicked, this, [this, field, save] { browse(field, save); });
        auto *row = new QHBoxLayout;
        row->addWidget(field, 1);
        row->addWidget(browseButton);
        return row;
    };
    auto *send = new QGroupBox(tr("The far end hears"), this);
    m_source = new QButtonGroup(this);
    m_sourceButtons[int(Source::Microphone)] = radio("sourceMicrophone", tr("the microphone"), send);
    m_sourceButtons[int(Source::File)] = radio("sourceFile", tr("a WAV file:"), send);
    m_sourceButtons[int(Source::Tone)] = radio("sourceTone", tr("a tone:"), send);
    m_sourceButtons[int(Source::Silence)] = radio("sourceSilence", tr("silence"), send);
    m_toneHz = new QSpinBox(send);
    m_toneHz->setObjectName(QStringLiteral("toneHz"));
    m_toneHz->setRange(50, 3900); // below 4 kHz: G.711's Nyquist limit
    m_toneHz->setSuffix(tr(" Hz"));
    m_toneHz->setValue(1000);
    auto *sendGrid = new QGridLayout(send);
    sendGrid->addWidget(m_sourceButtons[int(Source::Microphone)], 0, 0, 1, 2);
    sendGrid->addWidget(m_sourceButtons[int(Source::File)], 1, 0);
    sendGrid->addLayout(fileRow(m_playFile, "playFile", false, send), 1, 1);
    sendGrid->addWidget(m_sourceButtons[int(Source::Tone)], 2, 0);
    sendGrid->addWidget(m_toneHz, 2, 1, Qt::AlignLeft);
    sendGrid->addWidget(m_sourceButtons[int(Source::Silence)], 3, 0, 1, 2);
    auto *receive = new QGroupBox(tr("You hear"), this);
    m_sink = new QButtonGroup(this);
    m_sinkButtons[int(Sink::Speaker)] = radio("sinkSpeaker", tr("the speaker"), receive);
    m_sinkButtons[int(Sink::File)] = radio("sinkFile", tr("a recording:"), receive);
    m_sinkButtons[int(Sink::Nowhere)] = radio("sinkNone", tr("nothing"), receive);
    auto *receiveGrid = new QGridLayout(receive);
    receiveGrid->addWidget(m_sinkButtons[int(Sink::Speaker)], 0, 0, 1, 2);
    receiveGrid->addWidget(m_sinkButtons[int(Sink::File)], 1, 0);
    receiveGrid->addLayout(fileRow(m_recordFile, "recordFile", true, receive), 1, 1);
    receiveGrid->addWidget(m_sinkButtons[int(Sink::Nowhere)], 2, 0, 1, 2);
    for (int i = 0; i < 4; ++i)
        m_source->addButton(m_sourceButtons[i], i);
    for (int i = 0; i < 3; ++i)
        m_sink->addButton(m_sinkButtons[i], i);
    const QString why = m_availability->text();
    m_sourceButtons[int(Source::Microphone)]->setEnabled(m_hasInput);
    m_sourceButtons[int(Source::Microphone)]->setToolTip(m_hasInput ? tr("Send what the input device captures") : why);
    m_sinkButtons[int(Sink::Speaker)]->setEnabled(m_hasOutput);
    m_sinkButtons[int(Sink::Speaker)]->setToolTip(m_hasOutput ? tr("Play the far end on the output device") : why);

    // Codecs in preference order.
    auto *codecBox = new QGroupBox(tr("Codecs, preferred first"), this);
    m_codecs = new QListWidget(codecBox);
    m_codecs->setObjectName(QStringLiteral("codecs"));
    m_codecs->setMaximumHeight(m_codecs->fontMetrics().height() * 5 + 8);
    auto *up = new QToolButton(codecBox);
    up->setObjectName(QStringLiteral("codecUp"));
    up->setArrowType(Qt::UpArrow);
    up->setToolTip(tr("Prefer the selected codec"));
    auto *down = new QToolButton(codecBox);
    down->setObjectName(QStringLiteral("codecDown"));
    down->setArrowType(Qt::DownArrow);
    down->setToolTip(tr("Prefer the selected codec less"));
    auto *arrows = new QVBoxLayout;
    arrows->addWidget(up);
    arrows->addWidget(down);
    arrows->addStretch();
    auto *codecRow = new QHBoxLayout(codecBox);
    codecRow->addWidget(m_codecs, 1);
    codecRow->addLayout(arrows);

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("audioProblem"));
    m_problem->setWordWrap(true);
    setTone(m_problem, Tone::Bad);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_availability);
    layout->addWidget(card);
    auto *paths = new QHBoxLayout;
    paths->addWidget(send, 1);
    paths->addWidget(receive, 1);
    layout->addLayout(paths);
    layout->addWidget(codecBox);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);

    setFrom(current);
    connect(m_source, &QButtonGroup::idToggled, this, &AudioSettingsDialog::validate);
    connect(m_sink, &QButtonGroup::idToggled, this, &AudioSettingsDialog::validate);
    connect(m_playFile, &QLineEdit::textChanged, this, &AudioSettingsDialog::validate);
    connect(m_recordFile, &QLineEdit::textChanged, this, &AudioSettingsDialog::validate);
    connect(m_codecs, &QListWidget::itemChanged, this, &AudioSettingsDialog::validate);
    connect(up, &QToolButton::clicked, this, [this] { moveCodec(-1); });
    connect(down, &QToolButton::clicked, this, [this] { moveCodec(+1); });
    connect(m_micTest, &QPushButton::toggled, this, &AudioSettingsDialog::toggleMicrophoneTest);
    connect(m_speakerTest, &QPushButton::clicked, this, &AudioSettingsDialog::testSpeaker);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(this, &QDialog::finished, this, &AudioSettingsDialog::stopCheck);
    validate();
}

AudioSettingsDialog::~AudioSettingsDialog() { stopCheck(); }

QString AudioSettingsDialog::availability() const { return m_availability->text(); }

void AudioSettingsDialog::buildDevices()
{
    for (auto [combo, dir] : {std::pair {m_input, AudioDirection::Input}, std::pair {m_output, AudioDirection::Output}}) {
        combo->addItem(tr("System default"), -1);
        if (m_devices)
            for (const media::AudioDevice &d : *m_devices)
                if (hasChannels(d, dir))
                    combo->addItem(d.hostApi.isEmpty() ? d.name : QStringLiteral("%1 (%2)").arg(d.name, d.hostApi), d.index);
    }
    const QString why = m_availability->text();
    m_input->setEnabled(m_hasInput);
    m_micTest->setEnabled(m_hasInput);
    m_micTest->setToolTip(m_hasInput ? tr("Shows the level the input device captures now") : why);
    m_output->setEnabled(m_hasOutput);
    m_speakerTest->setEnabled(m_hasOutput);
    m_speakerTest->setToolTip(m_hasOutput ? tr("Plays a 1 kHz tone for one second on the output device") : why);
    if (!m_hasInput && !m_hasOutput)
        m_checkStatus->setText(tr("Without a sound card, calls send a WAV file, a tone or silence, and record what they receive to a WAV file."));
}

void AudioSettingsDialog::setFrom(const phone::CallSettings &s)
{
    const phone::AudioSettings &a = s.audio;
    Source source = sourceOf(a);
    if (source == Source::Microphone && !m_hasInput)
        source = Source::Silence;
    Sink sink = sinkOf(a);
    if (sink == Sink::Speaker && !m_hasOutput)
        sink = Sink::Nowhere;
    m_sourceButtons[int(source)]->setChecked(true);
    m_sinkButtons[int(sink)]->setChecked(true);
    m_playFile->setText(a.playFile);
    m_recordFile->setText(a.recordFile);
    if (a.toneHz > 0)
        m_toneHz->setValue(qRound(a.toneHz));
    m_input->setCurrentIndex(qMax(0, m_input->findData(a.inputDevice)));
    m_output->setCurrentIndex(qMax(0, m_output->findData(a.outputDevice)));

    QStringList order;
    for (const QByteArray &c : s.codecs)
        for (const QString &known : kCodecs)
            if (known.compare(QString::fromLatin1(c), Qt::CaseInsensitive) == 0 && !order.contains(known))
                order << known;
    const int enabled = int(order.size());
    for (const QString &known : kCodecs)
        if (!order.contains(known))
            order << known;
    m_codecs->clear();
    for (int i = 0; i < order.size(); ++i) {
        auto *item = new QListWidgetItem(order[i], m_codecs);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        item->setCheckState(i < enabled ? Qt::Checked : Qt::Unchecked);
    }
}

phone::CallSettings AudioSettingsDialog::callSettings() const
{
    phone::CallSettings s = m_base;
    phone::AudioSettings &a = s.audio;
    const auto source = Source(m_source->checkedId());
    const auto sink = Sink(m_sink->checkedId());
    a.playFile = source == Source::File ? m_playFile->text().trimmed() : QString();
    a.toneHz = source == Source::Tone ? m_toneHz->value() : 0;
    a.recordFile = sink == Sink::File ? m_recordFile->text().trimmed() : QString();
    a.soundCard = source == Source::Microphone || sink == Sink::Speaker;
    a.inputDevice = m_input->currentData().toInt();
    a.outputDevice = m_output->currentData().toInt();
    s.codecs.clear();
    for (int i = 0; i < m_codecs->count(); ++i)
        if (m_codecs->item(i)->checkState() == Qt::Checked)
            s.codecs << m_codecs->item(i)->text().toLatin1();
    return s;
}

void AudioSettingsDialog::moveCodec(int delta)
{
    const int row = m_codecs->currentRow();
    const int to = row + delta;
    if (row < 0 || to < 0 || to >= m_codecs->count())
        return;
    QListWidgetItem *item = m_codecs->takeItem(row);
    m_codecs->insertItem(to, item);
    m_codecs->setCurrentRow(to);
}

void AudioSettingsDialog::browse(QLineEdit *field, bool save)
{
    const QString filter = tr("WAV files (*.wav)");
    const QString path = save ? QFileDialog::getSaveFileName(this, tr("Record the far end to"), field->text(), filter)
                              : QFileDialog::getOpenFileName(this, tr("Send this file"), field->text(), filter);
    if (!path.isEmpty())
        field->setText(path);
}

void AudioSettingsDialog::validate()
{
    const auto source = Source(m_source->checkedId());
    const auto sink = Sink(m_sink->checkedId());
    m_playFile->setEnabled(source == Source::File);
    m_toneHz->setEnabled(source == Source::Tone);
    m_recordFile->setEnabled(sink == Sink::File);
    QString problem;
    bool anyCodec = false;
    for (int i = 0; i < m_codecs->count(); ++i)
        anyCodec = anyCodec || m_codecs->item(i)->checkState() == Qt::Checked;
    if (source == Source::File && m_playFile->text().trimmed().isEmpty())
        problem = tr("Choose the WAV file to send.");
    else if (sink == Sink::File && m_recordFile->text().trimmed().isEmpty())
        problem = tr("Choose where to record.");
    else if (source == Source::Silence && sink == Sink::Speaker)
        problem = tr("To send silence while listening on the speaker, choose the microphone and mute the call.");
    else if (!anyCodec)
        problem = tr("Tick at least one codec.");
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

void AudioSettingsDialog::toggleMicrophoneTest(bool on)
{
    if (!on) {
        stopCheck();
        m_level->setValue(0);
        m_level->setFormat(tr("silent"));
        return;
    }
    m_checkStatus->setText(tr("Speak: the bar follows the microphone."));
    startCheck(AudioCheck::Mode::Microphone, m_input->currentData().toInt());
}

void AudioSettingsDialog::testSpeaker()
{
    if (m_micTest->isChecked())
        m_micTest->setChecked(false);
    m_speakerTest->setEnabled(false);
    m_checkStatus->setText(tr("Playing a 1 kHz tone for one second…"));
    startCheck(AudioCheck::Mode::Speaker, m_output->currentData().toInt());
}

void AudioSettingsDialog::startCheck(AudioCheck::Mode mode, int device)
{
    stopCheck();
    m_checkThread = new QThread(this);
    m_checkThread->setObjectName(QStringLiteral("audio check"));
    m_check = new AudioCheck(mode, device);
    m_check->moveToThread(m_checkThread);
    connect(m_checkThread, &QThread::started, m_check, &AudioCheck::start);
    connect(m_checkThread, &QThread::finished, m_check, &QObject::deleteLater);
    connect(m_check, &AudioCheck::level, this, [this](double dbfs) {
        m_level->setValue(qBound(0, qRound(dbfs) + kMeterFloorDb, kMeterFloorDb));
        m_level->setFormat(dbfs <= -kMeterFloorDb ? tr("silent") : tr("%1 dBFS").arg(qRound(dbfs)));
    });
    connect(m_check, &AudioCheck::finished, this, [this, mode](const QString &error) {
        if (!m_checkThread)
            return;
        stopCheck();
        m_speakerTest->setEnabled(m_hasOutput);
        if (mode == AudioCheck::Mode::Microphone)
            m_micTest->setChecked(false);
        m_checkStatus->setText(error.isEmpty() ? tr("The tone has played: did you hear it?") : tr("The sound card failed: %1").arg(error));
    });
    m_checkThread->start();
}

void AudioSettingsDialog::stopCheck()
{
    if (!m_checkThread)
        return;
    m_checkThread->quit();
    m_checkThread->wait(); // the check and its stream are deleted on their thread as it finishes
    delete m_checkThread;
    m_checkThread = nullptr;
    m_check = nullptr;
}

// ---- QSettings ---------------------------------------------------------------

phone::CallSettings AudioSettingsDialog::load(const QString &settingsFile, const phone::CallSettings &defaults, const AudioDeviceList &devices)
{
    const auto settings = openSettings(settingsFile);
    settings->beginGroup(QStringLiteral("audio"));
    if (!settings->contains(QStringLiteral("source")))
        return defaults;
    phone::CallSettings s = defaults;
    phone::AudioSettings &a = s.audio;
    const auto source = Source(qMax(0, kSourceNames.indexOf(settings->value(QStringLiteral("source")).toString())));
    const auto sink = Sink(qMax(0, kSinkNames.indexOf(settings->value(QStringLiteral("sink")).toString())));
    a.playFile = source == Source::File ? settings->value(QStringLiteral("playFile")).toString() : QString();
    a.toneHz = source == Source::Tone ? settings->value(QStringLiteral("toneHz"), 1000.0).toDouble() : 0.0;
    a.recordFile = sink == Sink::File ? settings->value(QStringLiteral("recordFile")).toString() : QString();
    a.soundCard = source == Source::Microphone || sink == Sink::Speaker;
    a.inputDevice = deviceIndex(devices, settings->value(QStringLiteral("inputDevice")).toString(), AudioDirection::Input);
    a.outputDevice = deviceIndex(devices, settings->value(QStringLiteral("outputDevice")).toString(), AudioDirection::Output);
    QList<QByteArray> codecs;
    for (const QString &c : settings->value(QStringLiteral("codecs")).toStringList())
        if (kCodecs.contains(c))
            codecs << c.toLatin1();
    if (!codecs.isEmpty())
        s.codecs = codecs;
    return s;
}

void AudioSettingsDialog::save(const QString &settingsFile, const phone::CallSettings &s, const AudioDeviceList &devices)
{
    const auto settings = openSettings(settingsFile);
    settings->beginGroup(QStringLiteral("audio"));
    const phone::AudioSettings &a = s.audio;
    settings->setValue(QStringLiteral("source"), kSourceNames[int(sourceOf(a))]);
    settings->setValue(QStringLiteral("sink"), kSinkNames[int(sinkOf(a))]);
    settings->setValue(QStringLiteral("playFile"), a.playFile);
    settings->setValue(QStringLiteral("toneHz"), a.toneHz);
    settings->setValue(QStringLiteral("recordFile"), a.recordFile);
    // By name: PortAudio's indices change when a card comes or goes.
    settings->setValue(QStringLiteral("inputDevice"), deviceName(devices, a.inputDevice));
    settings->setValue(QStringLiteral("outputDevice"), deviceName(devices, a.outputDevice));
    QStringList codecs;
    for (const QByteArray &c : s.codecs)
        codecs << QString::fromLatin1(c);
    settings->setValue(QStringLiteral("codecs"), codecs);
}

} // namespace ds::ui
