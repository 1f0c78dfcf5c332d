//! A moto server (PyPI `moto[server]`, installed by `.ci/run`) on 127.0.0.1 and a free
//! port, for the Support and SNS APIs; stopped when dropped. boto3 (a moto dependency)
//! prepares and inspects its state from Python, the way a user's tooling would.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub url: String,
    /// The CA that signed the server's certificate, when it serves HTTPS.
    ca: Option<std::path::PathBuf>,
    /// Holds moto's request recording: each server its own, never the shared default file.
    _state: tempfile::TempDir,
}

impl Moto {
    pub fn start() -> Moto {
        Moto::spawn(None)
    }

    /// moto over HTTPS at https://localhost:PORT with a server certificate and key (PEM)
    /// signed by the CA `ca` (tests/common/pki.rs makes all three).
    pub fn start_tls(cert: &std::path::Path, key: &std::path::Path, ca: &std::path::Path) -> Moto {
        Moto::spawn(Some((cert, key, ca)))
    }

    fn spawn(tls: Option<(&std::path::Path, &std::path::Path, &std::path::Path)>) -> Moto {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let state = tempfile::tempdir().unwrap();
        let mut command = Command::new("moto_server");
        command.env("MOTO_RECORDER_FILEPATH", state.path().join("recording")).args(["-H", "127.0.0.1", "-p", &port.to_string()]);
        if let Some((cert, key, _)) = tls {
            command.arg("-c").arg(cert).arg("-k").arg(key);
        }
        let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("moto_server is not installed: pip install 'moto[server]' (.ci/run does)");
        let url = match tls {
            Some(_) => format!("https://localhost:{port}"),
            None => format!("http://127.0.0.1:{port}"),
        };
        let moto = Moto { child, url, ca: tls.map(|(_, _, ca)| ca.to_path_buf()), _state: state };
        // Readiness: the port accepts connections (moto takes a second or two to import).
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        moto
    }

    /// Environment for the SDK's credential chain and endpoint override: dummy keys, no
    /// profile files, no instance metadata, one attempt per call.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.url.clone()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("AWS_MAX_ATTEMPTS", "1".into()),
            ("AWS_CONFIG_FILE", "/nonexistent/runready-test".into()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/runready-test".into()),
            ("AWS_PROFILE", "".into()),
        ]
    }

    /// Runs Python with `boto3` and `url` defined; returns its stdout (trimmed).
    pub fn python(&self, code: &str) -> String {
        let prelude = format!(
            "import boto3, json\nurl = {:?}\ndef client(name, region='us-east-1'):\n    return boto3.client(name, endpoint_url=url, region_name=region, aws_access_key_id='testing', aws_secret_access_key='testing')\n",
            self.url
        );
        let mut python = Command::new("python3");
        if let Some(ca) = &self.ca {
            // boto3 trusts the test CA (AWS_CA_BUNDLE), as a user's tooling would be told to.
            python.env("AWS_CA_BUNDLE", ca);
        }
        let out = python.arg("-c").arg(format!("{prelude}{code}")).output().expect("python3");
        assert!(out.status.success(), "python failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// An SNS topic with an SQS queue subscribed to it (raw delivery); returns the topic ARN.
    pub fn topic_with_queue(&self, name: &str, region: &str) -> String {
        self.python(&format!(
            "sns = client('sns', {region:?}); sqs = client('sqs', {region:?})\narn = sns.create_topic(Name={name:?})['TopicArn']\nq = sqs.create_queue(QueueName={name:?})['QueueUrl']\nqarn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=['QueueArn'])['Attributes']['QueueArn']\nsns.subscribe(TopicArn=arn, Protocol='sqs', Endpoint=qarn, Attributes={{'RawMessageDelivery': 'false'}})\nprint(arn)"
        ))
    }

    /// The SNS notifications delivered to the queue `name`, as JSON objects (Subject, Message).
    pub fn received(&self, name: &str, region: &str) -> Vec<serde_json::Value> {
        let out = self.python(&format!(
            "sqs = client('sqs', {region:?})\nq = sqs.get_queue_url(QueueName={name:?})['QueueUrl']\nmsgs = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10).get('Messages', [])\nprint(json.dumps([json.loads(m['Body']) for m in msgs]))"
        ));
        serde_json::from_str(&out).unwrap()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    /// Starts moto's request recorder (every request from now on is kept).
    pub fn start_recording(&self) {
        self.python("import urllib.request\nurllib.request.urlopen(urllib.request.Request(url + '/moto-api/recorder/start-recording', method='POST')).read()");
    }

    /// The Support (X-Amz-Target) operations recorded so far, with their JSON bodies.
    pub fn support_calls(&self) -> Vec<(String, serde_json::Value)> {
        let out = self.python(
            "import urllib.request, base64\nout = []\nfor line in urllib.request.urlopen(url + '/moto-api/recorder/download-recording').read().decode().splitlines():\n    if not line.strip(): continue\n    r = json.loads(line)\n    t = r['headers'].get('X-Amz-Target', '')\n    if not t.startswith('AWSSupport'): continue\n    b = r.get('body') or ''\n    b = base64.b64decode(b).decode() if r.get('body_encoded') else b\n    out.append([t.split('.')[-1], json.loads(b or '{}')])\nprint(json.dumps(out))",
        );
        serde_json::from_str::<Vec<(String, serde_json::Value)>>(&out).unwrap()
    }
}

impl Moto {
    /// Freezes every case's status (moto otherwise advances it on each DescribeCases, and a
    /// case would show `resolved` after three looks).
    pub fn freeze_cases(&self) {
        self.python("import urllib.request\nreq = urllib.request.Request(url + '/moto-api/state-manager/set-transition', data=json.dumps({'model_name': 'support::case', 'transition': {'progression': 'manual', 'times': 1000}}).encode(), method='POST')\nurllib.request.urlopen(req).read()");
    }

    /// The ids of the cases moto holds.
    pub fn case_ids(&self) -> Vec<String> {
        let out = self.python("print(json.dumps([c['caseId'] for c in client('support').describe_cases(includeResolvedCases=True)['cases']]))");
        serde_json::from_str(&out).unwrap()
    }
}
