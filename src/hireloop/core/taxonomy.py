"""The competency taxonomy and seniority levels every exercise and loop is tagged with."""

from __future__ import annotations

from enum import StrEnum


class Competency(StrEnum):
    """What an AI/ML interview covers (DESIGN.md, "the competency taxonomy")."""

    ML_FOUNDATIONS = "ml-foundations"
    CODING = "coding"
    ML_DEBUGGING = "ml-debugging"
    DEPLOYMENT = "deployment"
    MLOPS = "mlops"
    GENAI = "genai"
    AUTOML = "automl"
    EXPLAINABILITY = "explainability"
    SYSTEM_DESIGN = "system-design"
    ETHICS = "ethics"
    COMMUNICATION = "communication"
    RESEARCH = "research"
    COLLABORATION = "collaboration"
    LEADERSHIP = "leadership"


COMPETENCY_DESCRIPTIONS: dict[Competency, str] = {
    Competency.ML_FOUNDATIONS: "statistics, learning theory, bias/variance, evaluation metrics",
    Competency.CODING: "correct, efficient Python and numpy under test",
    Competency.ML_DEBUGGING: "finding what is wrong in a training or serving pipeline",
    Competency.DEPLOYMENT: "serving, optimising a model for latency/size/cost, rollout",
    Competency.MLOPS: "reproducibility, pipelines, CI/CD for models, drift",
    Competency.GENAI: "LLMs, prompting, retrieval-augmented generation, evaluation, safety",
    Competency.AUTOML: "hyper-parameter search, model selection under a budget",
    Competency.EXPLAINABILITY: "feature attribution, counterfactuals, explaining behaviour",
    Competency.SYSTEM_DESIGN: "ML system design: data, training, serving, feedback loops",
    Competency.ETHICS: "fairness, privacy, harms, accountability in deployed AI",
    Competency.COMMUNICATION: "explaining complex ideas to non-technical stakeholders",
    Competency.RESEARCH: "presenting and defending research: motivation, method, evidence",
    Competency.COLLABORATION: "working through a problem with others",
    Competency.LEADERSHIP: "behaviour against a company's stated principles",
}


class Level(StrEnum):
    """The seniority an exercise is pitched at."""

    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"
    STAFF = "staff"
