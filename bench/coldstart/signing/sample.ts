/** What both signers sign: a create's PutItem, as the create function sends it. */
export const HOST = 'dynamodb.us-east-1.amazonaws.com';
export const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE',
};
export const BODY = JSON.stringify({
  TableName: 'todos',
  Item: {
    owner: { S: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example#user' },
    id: { S: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
    title: { S: 'cold start' },
    completed: { BOOL: false },
    createdAt: { S: '2026-11-28T00:00:00.000Z' },
    updatedAt: { S: '2026-11-28T00:00:00.000Z' },
    version: { S: 'AAAAAAAAAAAA' },
  },
  ConditionExpression: 'attribute_not_exists(#id)',
  ExpressionAttributeNames: { '#id': 'id' },
});
