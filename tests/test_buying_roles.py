"""The buying-role regression is fitted when the classifier is trained and only applied at
load time: the saved model must predict exactly what the fitted one does."""

import numpy as np

from extractors import buying_roles
from extractors.nlp import embeddings
from pipeline.settings import Settings

ENCODER = Settings().encoder_model
# Written for this test, not training lines.
EXAMPLES = [
    *({"text": t, "role": "economic_buyer"} for t in [
        "she signs anything over forty thousand", "the budget is mine and i approve the spend",
        "our cfo has the final say on the money", "he owns the p and l so it's his call",
        "nothing gets bought without the owner's signature", "i hold the purse strings here",
        "the board delegates purchases like this to me", "our president signs the contract",
        "the owner writes the cheque for anything like this", "procurement answers to her on spend"]),
    *({"text": t, "role": "end_user"} for t in [
        "i'm the one who'll be in it every day", "my dispatchers will live in this screen",
        "the techs will use it on their phones in the field", "i do the scheduling by hand right now",
        "our front desk staff book every appointment", "the crew leads enter their hours at night",
        "i key the invoices in myself each morning", "the nurses will chart in it on rounds",
        "the drivers will check their routes in it each morning", "i'm in the tool all day long"]),
    *({"text": t, "role": "technical_evaluator"} for t in [
        "our it director reviews every integration", "he'll want to see the api docs first",
        "security has to sign off on single sign-on", "our architect checks the data model",
        "she runs the servers and vets vendors", "the sysadmin will test the sso setup",
        "our network guy needs the firewall rules", "the engineer wants to see the webhooks"]),
]


def test_the_saved_role_model_predicts_what_the_fitted_one_does(tmp_path):
    from sklearn.linear_model import LogisticRegression

    buying_roles.save(EXAMPLES, tmp_path, ENCODER)
    model = buying_roles.load(str(tmp_path), ENCODER)
    assert model is not None and sorted(model.classes) == ["economic_buyer", "end_user", "technical_evaluator"]
    fitted = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(
        embeddings(ENCODER, [e["text"] for e in EXAMPLES]), [e["role"] for e in EXAMPLES])
    for text in ["the controller approves the purchase", "the warehouse team scans pallets with it",
                 "our security lead reads the pen test"]:
        probs = fitted.predict_proba(embeddings(ENCODER, [text]))[0]
        role, confidence = model.predict(text)
        assert role == fitted.classes_[int(np.argmax(probs))]
        assert abs(confidence - probs.max()) < 1e-6


def test_too_few_examples_leave_the_role_to_the_descriptions(tmp_path):
    buying_roles.save(EXAMPLES[:5], tmp_path, ENCODER)
    assert buying_roles.load(str(tmp_path), ENCODER) is None


def test_two_roles_and_an_old_artifact(tmp_path):
    """Two roles keep one row of coefficients (the second class's score); an artifact written
    before the regression was saved (a bare list of examples) is fitted at load time."""
    import json

    from sklearn.linear_model import LogisticRegression

    two = [e for e in EXAMPLES if e["role"] != "technical_evaluator"]
    (tmp_path / buying_roles.FILE).write_text(json.dumps(two))  # the old format
    model = buying_roles.load(str(tmp_path), ENCODER)
    assert model is not None and model.coef.shape[0] == 1
    fitted = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(
        embeddings(ENCODER, [e["text"] for e in two]), [e["role"] for e in two])
    for text in ["the controller approves the purchase", "the crew uses it on every job"]:
        probs = fitted.predict_proba(embeddings(ENCODER, [text]))[0]
        role, confidence = model.predict(text)
        assert role == fitted.classes_[int(np.argmax(probs))] and abs(confidence - probs.max()) < 1e-6


def _speakers() -> list[dict]:
    """Each written example paired with the next of its role: what a speaker of that role says."""
    rows = []
    for role in ("economic_buyer", "end_user", "technical_evaluator"):
        texts = [e["text"] for e in EXAMPLES if e["role"] == role]
        rows += [{"texts": [texts[i], texts[(i + 1) % len(texts)]], "role": role} for i in range(len(texts))]
    return rows


def test_a_speakers_own_words_are_mixed_in_with_equal_weight(tmp_path):
    """The saved speech regression is applied to the mean embedding of the person's turns and
    mixed log-linearly with the mention's; too little speech leaves the mention alone."""
    from sklearn.linear_model import LogisticRegression

    speakers = _speakers()
    buying_roles.save(EXAMPLES, tmp_path, ENCODER, speakers)
    model = buying_roles.load(str(tmp_path), ENCODER)
    assert model is not None and model.speech is not None

    def fit(vecs, roles):
        return LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(vecs, roles)

    mention = fit(embeddings(ENCODER, [e["text"] for e in EXAMPLES]), [e["role"] for e in EXAMPLES])
    speech = fit(np.stack([embeddings(ENCODER, s["texts"]).mean(0) for s in speakers]),
                 [s["role"] for s in speakers])
    text = "she'll be the one looking at it most"
    own = ["every morning i go through the whole schedule by hand", "i spend my day in that screen honestly"]
    pm = mention.predict_proba(embeddings(ENCODER, [text]))[0]
    ps = speech.predict_proba(embeddings(ENCODER, own).mean(0)[None, :])[0]
    mixed = np.sqrt(pm * ps)
    mixed /= mixed.sum()
    role, confidence = model.predict(text, own)
    assert role == mention.classes_[int(np.argmax(mixed))] and abs(confidence - mixed.max()) < 1e-6
    # One long turn (and any number of "yeah"s) is not enough speech to go on.
    assert model.predict(text, own[:1] + ["yeah", "sure thing"]) == model.predict(text)


def test_speaker_examples_need_a_labelled_stakeholder_who_speaks():
    from extractors.corpus import Conversation, Turn

    def person(name: str, role: str) -> dict:
        return {"stakeholder": {"name": name, "buying_role": role}}

    conv = Conversation("c1", [
        Turn("Ana Ruiz", "customer", "so the approvals all sit with me in the end", ["stakeholder"],
             person("Ana Ruiz", "economic_buyer")),
        Turn("Ana Ruiz", "customer", "and i want the quarterly numbers before we sign", [], {}),
        Turn("Bo Chen", "customer", "yeah", [], {}),
        Turn("Bo Chen", "customer", "ok sure", [], {}),
        Turn("Ana Ruiz", "customer", "bo runs the warehouse floor every day", ["stakeholder"],
             person("Bo Chen", "end_user")),
        Turn("Ana Ruiz", "customer", "and our it lead kim will review the connector", ["stakeholder"],
             person("Kim Park", "technical_evaluator")),
    ])
    assert buying_roles.speaker_examples([conv]) == [
        {"texts": ["so the approvals all sit with me in the end",
                   "and i want the quarterly numbers before we sign",
                   "bo runs the warehouse floor every day",
                   "and our it lead kim will review the connector"], "role": "economic_buyer"}]


def test_own_words_are_found_by_full_name_or_a_unique_first_name():
    from extractors.stakeholders import own_words

    speech = {"Dana Ruiz": ["a"], "Mark Lee": ["b"], "Mark Owens": ["c"]}
    assert own_words("Dana Ruiz", speech) == ["a"]
    assert own_words("Dana", speech) == ["a"]
    assert own_words("Mark", speech) == []  # two Marks: whose words?
    assert own_words("Dana Smith", speech) == []  # another Dana
    assert own_words(None, speech) == [] and own_words("", speech) == []
    # Recognizer case, a title of address, a speaker renamed from "Hi, I'm Ana" to her first name.
    assert own_words("dana ruiz", speech) == ["a"]
    assert own_words("Dr. Dana Ruiz", speech) == ["a"]
    assert own_words("Ana Mendez", {"Ana": ["d"], "Mark Lee": ["b"]}) == ["d"]


def test_role_models_that_know_different_roles_are_not_mixed(tmp_path):
    """A role the speech model never saw would be unreachable for anyone who speaks: the mention
    alone decides then."""
    speakers = [s for s in _speakers() if s["role"] != "technical_evaluator"]
    buying_roles.save(EXAMPLES, tmp_path, ENCODER, speakers)
    model = buying_roles.load(str(tmp_path), ENCODER)
    assert model is not None and model.speech is None
    own = ["our firewall rules need reviewing first", "i'll check the api limits myself"]
    assert model.predict("our architect will look", own) == model.predict("our architect will look")


def test_the_role_record_is_refitted_when_the_role_only_mentions_change(tmp_path):
    from extractors.buying_roles import mention_examples, role_data_version

    path = tmp_path / "mentions.jsonl"
    assert role_data_version("d1", path).endswith("+none") and mention_examples(path) == []
    path.write_text('{"text": "rosa signs anything over five grand", "buying_role": "economic_buyer"}\n')
    first = role_data_version("d1", path)
    assert mention_examples(path) == [{"text": "rosa signs anything over five grand", "role": "economic_buyer"}]
    path.write_text('{"text": "rosa signs anything over ten grand", "buying_role": "economic_buyer"}\n')
    assert role_data_version("d1", path) != first != role_data_version("d2", path)


def test_doubt_and_title_rules():
    from extractors.stakeholders import rule_role, skeptic_rule, title_of, title_rule

    assert skeptic_rule("honestly marta is not convinced this beats the spreadsheet") == "skeptic"
    assert skeptic_rule("marta runs the front desk") is None
    assert title_of("and our c f o gail signs off") == "cfo"
    assert title_rule(title_of("and our c f o gail signs off")) == "economic_buyer"
    assert title_rule(title_of("dev is our head of i t")) == "technical_evaluator"
    assert title_rule(None) is None and title_rule("office manager") is None
    # doubt comes first; neither rule leaves the role to the model
    assert rule_role("our c f o is not convinced at all") == "skeptic"
    assert rule_role("and our c f o gail signs off") == "economic_buyer"
    assert rule_role("marta runs the front desk") is None
