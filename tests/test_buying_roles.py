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
    buying_roles.load.cache_clear()
    model = buying_roles.load(str(tmp_path), ENCODER)
    assert model is not None and model.coef.shape[0] == 1
    fitted = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(
        embeddings(ENCODER, [e["text"] for e in two]), [e["role"] for e in two])
    for text in ["the controller approves the purchase", "the crew uses it on every job"]:
        probs = fitted.predict_proba(embeddings(ENCODER, [text]))[0]
        role, confidence = model.predict(text)
        assert role == fitted.classes_[int(np.argmax(probs))] and abs(confidence - probs.max()) < 1e-6
