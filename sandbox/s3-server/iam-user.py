# Creates an IAM user with an inline policy and an access key on the sandbox's moto server, and
# prints the key as JSON. Everything secret comes on stdin (never argv): the caller's credentials,
# the endpoint and the user to make.
import json
import sys

import boto3

a = json.load(sys.stdin)
iam = boto3.client(
    "iam",
    endpoint_url=a["endpoint"],
    region_name="us-east-1",
    aws_access_key_id=a["accessKeyId"],
    aws_secret_access_key=a["secretAccessKey"],
    verify=a.get("caCertPath") or True,
)
iam.create_user(UserName=a["user"])
policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": a["actions"], "Resource": "*"}]}
iam.put_user_policy(UserName=a["user"], PolicyName="sandbox-access", PolicyDocument=json.dumps(policy))
key = iam.create_access_key(UserName=a["user"])["AccessKey"]
print(json.dumps({"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}))
