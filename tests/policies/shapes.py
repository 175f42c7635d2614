"""Real input shapes of the resources that carry OpenAI settings, each built from an env map.

Each builder takes ``{NAME: value}`` and returns ``(type token, inputs)`` as the provider's
SDK registers them (Pulumi input names, camelCase).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .helpers import b64, ecs_definitions

Env = Mapping[str, Any]
Shape = Callable[[Env], tuple[str, dict[str, Any]]]


def _k8s_env(env: Env) -> list[dict[str, Any]]:
    return [{"name": k, "value": v} for k, v in env.items()]


def _pod_spec(env: Env) -> dict[str, Any]:
    return {
        "containers": [
            {
                "name": "app",
                "image": "ghcr.io/acme/chat:1.4.2",
                "ports": [{"containerPort": 8080}],
                "env": _k8s_env(env),
            }
        ]
    }


def _template(env: Env) -> dict[str, Any]:
    return {"metadata": {"labels": {"app": "chat"}}, "spec": _pod_spec(env)}


def k8s_deployment(env: Env) -> tuple[str, dict[str, Any]]:
    return "kubernetes:apps/v1:Deployment", {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "chat"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "chat"}},
            "template": _template(env),
        },
    }


def k8s_statefulset(env: Env) -> tuple[str, dict[str, Any]]:
    return "kubernetes:apps/v1:StatefulSet", {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "indexer"},
        "spec": {
            "serviceName": "indexer",
            "selector": {"matchLabels": {"app": "chat"}},
            "template": _template(env),
        },
    }


def k8s_cronjob(env: Env) -> tuple[str, dict[str, Any]]:
    return "kubernetes:batch/v1:CronJob", {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "nightly"},
        "spec": {
            "schedule": "0 3 * * *",
            "jobTemplate": {
                "spec": {"template": {"spec": {**_pod_spec(env), "restartPolicy": "OnFailure"}}}
            },
        },
    }


def k8s_pod(env: Env) -> tuple[str, dict[str, Any]]:
    return "kubernetes:core/v1:Pod", {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "debug"},
        "spec": _pod_spec(env),
    }


def k8s_configmap(env: Env) -> tuple[str, dict[str, Any]]:
    return "kubernetes:core/v1:ConfigMap", {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "openai"},
        "data": dict(env),
    }


def k8s_secret(env: Env) -> tuple[str, dict[str, Any]]:
    """``data`` holds base64 text, as the Kubernetes API stores it."""
    return "kubernetes:core/v1:Secret", {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "openai"},
        "type": "Opaque",
        "data": {k: b64(v) for k, v in env.items()},
    }


def lambda_function(env: Env) -> tuple[str, dict[str, Any]]:
    return "aws:lambda/function:Function", {
        "runtime": "python3.12",
        "handler": "app.handler",
        "role": "arn:aws:iam::123:role/fn",
        "environment": {"variables": dict(env)},
    }


def ecs_task_definition(env: Env) -> tuple[str, dict[str, Any]]:
    return "aws:ecs/taskDefinition:TaskDefinition", {
        "family": "chat",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "networkMode": "awsvpc",
        "containerDefinitions": ecs_definitions(env),
    }


def app_service(env: Env) -> tuple[str, dict[str, Any]]:
    return "azure-native:web:WebApp", {
        "resourceGroupName": "rg-chat",
        "location": "westeurope",
        "serverFarmId": "/sub/farm",
        "siteConfig": {
            "appSettings": [{"name": k, "value": v} for k, v in env.items()],
            "linuxFxVersion": "PYTHON|3.12",
        },
    }


def container_app(env: Env) -> tuple[str, dict[str, Any]]:
    return "azure-native:app:ContainerApp", {
        "resourceGroupName": "rg-chat",
        "managedEnvironmentId": "/sub/env",
        "template": {
            "containers": [{"name": "chat", "image": "acme/chat:1", "env": _k8s_env(env)}]
        },
    }


def cloud_run(env: Env) -> tuple[str, dict[str, Any]]:
    return "gcp:cloudrunv2/service:Service", {
        "location": "europe-west1",
        "ingress": "INGRESS_TRAFFIC_ALL",
        "template": {
            "containers": [
                {
                    "image": "europe-docker.pkg.dev/acme/chat:1",
                    "envs": [{"name": k, "value": v} for k, v in env.items()],
                }
            ]
        },
    }


def github_variable(env: Env) -> tuple[str, dict[str, Any]]:
    ((name, value),) = env.items()
    return "github:index/actionsVariable:ActionsVariable", {
        "repository": "acme/chat",
        "variableName": name,
        "value": value,
    }


def dotenv_sink(env: Env) -> tuple[str, dict[str, Any]]:
    """The components' dotenv sink: a dynamic resource whose inputs hold the env map."""
    return "pulumi-python:dynamic:Resource", {
        "path": ".env",
        "values": dict(env),
        "__provider": "gASVJwAAAAAAAACMCF9fbWFpbl9flIwMRG90ZW52UHJvdmlkZXKUk5Qu",
    }


def unnamed_provider(env: Env) -> tuple[str, dict[str, Any]]:
    """A provider residency-guard never heard of: the traversal is generic."""
    return "acme:platform/workload:Workload", {
        "spec": {"runtime": {"settings": [{"key": k, "value": v} for k, v in env.items()]}},
    }


ENV_SHAPES: dict[str, Shape] = {
    "k8s-deployment": k8s_deployment,
    "k8s-statefulset": k8s_statefulset,
    "k8s-cronjob": k8s_cronjob,
    "k8s-pod": k8s_pod,
    "k8s-configmap": k8s_configmap,
    "k8s-secret-base64": k8s_secret,
    "aws-lambda": lambda_function,
    "aws-ecs-json": ecs_task_definition,
    "azure-app-service": app_service,
    "azure-container-app": container_app,
    "gcp-cloud-run": cloud_run,
    "github-actions-variable": github_variable,
    "dotenv-sink": dotenv_sink,
    "unnamed-provider": unnamed_provider,
}
